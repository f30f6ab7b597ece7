"""Each normalisation rule on its own, then the whole pipeline on sentences that mix them."""

import pytest

from audiobook_tts.text import normalize as n
from audiobook_tts.text.normalize import NormalizeContext, normalize

CTX = NormalizeContext()


def rule(function, text, **context):
    return function(text, NormalizeContext(**context))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a\u00adb", "ab"),  # soft hyphen
        ("zero\u200bwidth\u200d\ufeff", "zerowidth"),
        ("\ufb01sh \ufb02ow", "fish flow"),  # ligatures
        ("no\u00a0break\u2009thin\u3000wide", "no break thin wide"),
        ("\uff21\uff22", "AB"),  # full width
        ("wait…", "wait…"),  # the ellipsis character is kept (NFKC would make it three dots)
        ("3½ pints and ¼ cup", "3 and 1\u20442 pints and 1\u20444 cup"),  # read by typeset_fractions
        ("5 km²", "5 km squared"),
        ("\u22125", "-5"),
        ("22 2\u20443 m", "22 and 2\u20443 m"),
        ("85,179⁵⁄₁₁ and 3⅘", "85,179 and 5\u204411 and 3 and 4\u20445"),  # NFKC glued them: "85,1795⁄11"
        ("\u2015Yet", "—Yet"),
    ],
)
def test_unicode_cleanup(text, expected):
    assert rule(n.unicode_cleanup, text) == expected


def test_unicode_cleanup_in_other_languages_writes_fractions_with_a_slash():
    assert rule(n.unicode_cleanup, "85,179⁵⁄₁₁ y 3⅘, 2⁄3", language="es") == "85,179 5/11 y 3 4/5, 2/3"


@pytest.mark.parametrize(
    "text, urls, expected",
    [
        ("Visit www.example.com for details.", "drop", "Visit for details."),
        ("Visit www.example.com for details.", "speak", "Visit www dot example dot com for details."),
        (
            "See https://example.com/a/b.html now.",
            "speak",
            "See example dot com slash a slash b dot html now.",
        ),
        ("Write to info@example.org today.", "speak", "Write to info at example dot org today."),
        ("Write to info@example.org.", "drop", "Write to."),
    ],
)
def test_urls_and_emails(text, urls, expected):
    assert rule(n.urls_and_emails, text, urls=urls) == expected


def test_lexicon_whole_word_and_case_aware():
    lexicon = {"ahab": "Ay-hab", "US": "U S"}
    assert (
        rule(n.lexicon, "Ahab met ahab's crew, not Ahabs.", lexicon=lexicon)
        == "Ay-hab met Ay-hab's crew, not Ahabs."
    )
    assert rule(n.lexicon, "The US told us.", lexicon=lexicon) == "The U S told us."
    assert rule(n.lexicon, "ahab", lexicon={"ahab": "ay-hab"}) == "ay-hab"
    assert rule(n.lexicon, "Ahab", lexicon={"ahab": "ay-hab"}) == "Ay-hab"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mr. Smith and Mrs. Jones met Dr. Watson.", "Mister Smith and Missus Jones met Doctor Watson."),
        ("St. Paul's is in London.", "Saint Paul's is in London."),
        ("They sailed to St. Helena.", "They sailed to Saint Helena."),
        ("He lived on Elm St.", "He lived on Elm Street."),
        ("She lives at 42 Baker St. in London.", "She lives at 42 Baker Street in London."),
        ("It is on Mulholland Dr. near the hills.", "It is on Mulholland Drive near the hills."),
        ("Bring fruit, e.g. apples, i.e. food.", "Bring fruit, for example apples, that is food."),
        ("Apples, pears, etc.", "Apples, pears, et cetera."),
        ("Smith vs. Jones", "Smith versus Jones"),
        ("Room No. 5", "Room number 5"),
        ("No. I said no.", "No. I said no."),  # "No." is a number only before one
        (
            "See p. 17 and pp. 20-25, ch. 4, vol. 2, fig. 3.",
            "See page 17 and pages 20-25, chapter 4, volume 2, figure 3.",
        ),
        ("It weighs approx. 3 kg.", "It weighs approximately 3 kg."),
        ("Lt. Col. Roberts and Capt. Ahab", "Lieutenant Colonel Roberts and Captain Ahab"),
        ("Martin Luther King Jr.", "Martin Luther King Junior."),
        ("Item #5", "Item number 5"),
        ("Mr Smith met Dr Watson at St Paul's", "Mister Smith met Doctor Watson at Saint Paul's"),
        ("Dr is short; the Mr word; MrBean", "Dr is short; the Mr word; MrBean"),
        ("oil, bone, &c. and more", "oil, bone, et cetera and more"),
        ("The U.S. Navy in A.D. 1851", "The U S Navy in A D 1851"),
        ("She moved to the U.K.", "She moved to the U K."),
        ("He holds a Ph.D. in chemistry.", "He holds a P H D in chemistry."),
        ("at 5 p.m. sharp", "at 5 p.m. sharp"),  # for the times rule
        ("J. R. R. Tolkien", "J. R. R. Tolkien"),
    ],
)
def test_abbreviations(text, expected):
    assert rule(n.abbreviations, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Chapter IV", "Chapter four"),
        ("CHAPTER XII.", "CHAPTER twelve."),
        ("Book ii of the Iliad", "Book two of the Iliad"),
        ("Henry VIII had six wives.", "Henry the eighth had six wives."),
        ("Louis XIV and Pius XII", "Louis the fourteenth and Pius the twelfth"),
        ("Elizabeth I ruled.", "Elizabeth the first ruled."),
        ("World War II ended.", "World War two ended."),
        ("Then I went home.", "Then I went home."),  # the pronoun
        ("So I said to Malcolm X yesterday.", "So I said to Malcolm X yesterday."),
        ("I think MIX and DID are not CIVIL numbers.", "I think MIX and DID are not CIVIL numbers."),
        ("Section C applies.", "Section C applies."),  # a letter, not a hundred
    ],
)
def test_roman_numerals(text, expected):
    assert rule(n.roman_numerals, text) == expected


def test_roman_numeral_leading_a_heading():
    assert rule(n.roman_numerals, "IV. THE FIRE SERMON", heading=True) == "Four. THE FIRE SERMON"
    assert rule(n.roman_numerals, "I", heading=True) == "One"
    assert rule(n.roman_numerals, "I. went home", heading=False) == "I. went home"


def test_roman_value():
    assert [
        n.roman_value(x) for x in ["I", "iv", "IX", "XIV", "MCMLXXXIV", "IIII", "MIX", "DID", "CIVIL"]
    ] == [
        1,
        4,
        9,
        14,
        1984,
        None,
        1009,
        None,
        None,
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("THE BURIAL OF THE DEAD", "The burial of the dead"),
        ("CHAPTER one. LOOMINGS.", "Chapter one. Loomings."),
        ("The FBI and the BBC met.", "The F B I and the B B C met."),
        ("NASA and NATO agreed.", "Nasa and Nato agreed."),
        ("He said NO and STOP.", "He said no and stop."),
        ("Do not MIX them.", "Do not mix them."),
        ("HTML is old.", "H T M L is old."),
        ("OK, fine.", "Okay, fine."),  # a sentence keeps its capital
        ("I'M here, he said.", "I'm here, he said."),
        ("It was ENORMOUS, she said.", "It was enormous, she said."),
        ("I am fine.", "I am fine."),
    ],
)
def test_all_caps(text, expected):
    assert rule(n.all_caps, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It cost $3.50.", "It cost three dollars fifty cents."),
        ("It cost £20.", "It cost twenty pounds."),
        ("It cost €5 and $1.", "It cost five euros and one dollar."),
        ("Only $0.99!", "Only ninety-nine cents!"),
        ("A $1.2 million deal", "A one point two million dollars deal"),
        ("$1,500 each", "one thousand five hundred dollars each"),
        ("an income of L100,000 a year", "an income of one hundred thousand pounds a year"),
    ],
)
def test_money(text, expected):
    assert rule(n.money, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("50% off", "fifty percent off"),
        ("a 1.5 % rise", "a one point five percent rise"),
        ("down -3%", "down minus three percent"),
    ],
)
def test_percentages(text, expected):
    assert rule(n.percentages, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("at 3:30 pm", "at three thirty P M"),
        ("at 3:05", "at three oh five"),
        ("at 10:00", "at ten o'clock"),
        ("at 10:00 a.m. sharp", "at ten A M sharp"),
        ("at 5 p.m.", "at five P M"),
        ("at 9 AM", "at nine A M"),
        ("the 3.45 p.m. train", "the three forty-five P M train"),
    ],
)
def test_times(text, expected):
    assert rule(n.times, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("on 12 March 1990", "on the twelfth of March nineteen ninety"),
        ("on March 12, 1990", "on March twelfth, nineteen ninety"),
        ("on 1st May", "on the first of May"),
        ("on Jan. 5", "on January fifth"),
        ("in May 2005", "in May 2005"),  # a year alone is left to the years rule
    ],
)
def test_dates(text, expected):
    assert rule(n.dates, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5 km", "five kilometres"),
        ("1 kg", "one kilogram"),
        ("3 ft tall", "three feet tall"),
        ("20°C", "twenty degrees Celsius"),
        ("-5 °F", "minus five degrees Fahrenheit"),
        ("60 mph", "sixty miles per hour"),
        ("625 ℔", "six hundred and twenty-five pounds"),
        ("2.5 l", "two point five litres"),
        ("40° F. and below", "forty degrees Fahrenheit and below"),
        ("30° 31′ 39″ N", "thirty degrees thirty-one minutes thirty-nine seconds N"),
        ("49.3 in. of rain", "forty-nine point three inches of rain"),
        ("3 in the morning", "3 in the morning"),
        ("540 sq. m. of water", "five hundred and forty square miles of water"),
    ],
)
def test_units(text, expected):
    assert rule(n.units, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Call 555-1234.", "Call five five five, one two three four."),
        ("Call (212) 555-1234.", "Call two one two, five five five, one two three four."),
        ("Agent 007", "Agent zero zero seven"),
    ],
)
def test_phone_numbers(text, expected):
    assert rule(n.phone_numbers, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("in 1984.", "in nineteen eighty-four."),
        ("in 1066,", "in ten sixty-six,"),  # after "in", a year even outside 1100-2099
        ("of 1066,", "of one thousand and sixty-six,"),  # elsewhere outside it: a cardinal
        ("in 2005", "in two thousand and five"),
        ("the 1980s", "the nineteen eighties"),
        ("the 1900s", "the nineteen hundreds"),
        ("1914-1918", "nineteen fourteen to nineteen eighteen"),
        ("1939–45", "nineteen thirty-nine to forty-five"),
        ("the '60s", "the sixties"),
        ("in her 60s", "in her sixties"),
        ("1,984 people", "1,984 people"),
    ],
)
def test_years(text, expected):
    assert rule(n.years, text) == expected


def test_ranges_ordinals_fractions_cardinals():
    assert rule(n.ranges, "pages 10-20") == "pages ten to twenty"
    assert rule(n.ranges, "a 10-year-old") == "a 10-year-old"
    assert (
        rule(n.ordinals, "the 1st, 2nd, 23rd and 100th")
        == "the first, second, twenty-third and one hundredth"
    )
    assert rule(n.fractions, "1/2 cup and 3/4 mile, 24/7") == "one half cup and three quarters mile, 24/7"
    assert (
        rule(n.cardinals, "-5 and 3.14 and 1,000,000")
        == "minus five and three point one four and one million"
    )
    assert rule(n.cardinals, "version 4.2.1") == "version four point two point one"
    assert rule(n.cardinals, "a 10-year-old") == "a ten-year-old"
    assert rule(n.cardinals, "a B52 and an MP3") == "a B fifty-two and an MP three"
    assert rule(n.ordinals, "August 3d and the 2d") == "August third and the second"


def test_symbols():
    assert rule(n.whitespace, rule(n.symbols, "ago—never mind–how")) == "ago — never mind – how"
    assert rule(n.symbols, "grub-worm") == "grub-worm"
    assert rule(n.symbols, "Smith & Co. + 2 = 4") == "Smith  and  Co.  plus  2  equals  4"
    assert rule(n.whitespace, rule(n.symbols, "*bold* and_under | bar")) == "bold and under bar"


def test_model_characters_are_the_handed_in_table():
    table = {"’": "'", "‘": "'", "—": ",", "–": ","}
    assert rule(n.model_characters, "‘Hi’—she said", replace_characters=table) == "'Hi',she said"
    assert rule(n.model_characters, "‘Hi’") == "‘Hi’"


def test_whitespace():
    assert rule(n.whitespace, "  a  ,b ;  c . ") == "a,b; c."
    assert rule(n.whitespace, "Stop!, he said") == "Stop! he said"
    assert rule(n.whitespace, ", leading") == "leading"


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Mr. Smith paid $3.50 for approx. 3 apples.",
            "Mister Smith paid three dollars fifty cents for approximately three apples.",
        ),
        (
            "In 1984, 50% of 1,000,000 people paid £20.",
            "In nineteen eighty-four, fifty percent of one million people paid twenty pounds.",
        ),
        ("CHAPTER I.", "Chapter one."),
        (
            "Meet at 3:30 pm on 12 March 1990.",
            "Meet at three thirty P M on the twelfth of March nineteen ninety.",
        ),
        ("Run 5 km & lift 10 kg.", "Run five kilometres and lift ten kilograms."),
        ("The ﬁsh\u00adcake costs\u00a0$5.", "The fishcake costs five dollars."),
        (
            "He was born on 12th Feb. 1809 in Ky.",
            "He was born on the twelfth of February eighteen oh-nine in Ky.",
        ),
        ("Henry VIII, 1491-1547.", "Henry the eighth, fourteen ninety-one to fifteen forty-seven."),
        ("It rose from -5 to 10.5 degrees.", "It rose from minus five to ten point five degrees."),
        (
            "The 2nd & 3rd of 10 items cost 15% less.",
            "The second and third of ten items cost fifteen percent less.",
        ),
        ("It falls 22 2\u20443 ft.", "It falls twenty-two and two thirds feet."),
        ("He came at 6:20 pm.", "He came at six twenty P M."),
        ("“We met at 5 p.m.”", "“We met at five P M.”"),
        ("She lives in the U.S.", "She lives in the U S."),
        ("191 THE LORD HELPETH MAN AND BEAST", "one hundred and ninety-one the lord helpeth man and beast"),
        ("AT 9 PM ON MARCH 5 WE LEFT.", "At nine P M on march five we left."),
    ],
)
def test_pipeline(text, expected):
    assert normalize(text) == expected


def test_pipeline_other_language_keeps_english_rules_out():
    ctx = NormalizeContext(language="fr", replace_characters={"«": "", "»": ""})
    assert normalize("« Il a 3 chats », dit Mr. Dupont.", ctx) == "Il a trois chats, dit Mr. Dupont."
