"""Budgeted segments: whole sentences packed within the token budget, long ones cut at clause boundaries."""

import pytest

from audiobook_tts.text.segments import MIN_WORDS, budget_run, finish, pack, split_long_sentence

LONG = (
    "The whale, which had been seen at dawn off the starboard bow, sank again beneath the grey water; "
    "the captain, who had not slept for three nights, stood at the rail and said nothing at all: "
    "he only watched the place where it had gone down, and waited, and waited, as the light failed"
)


def words_fit(limit):
    return lambda text: len(text.split()) <= limit


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hello there", "Hello there."),
        ("Hello there.", "Hello there."),
        ("Is it?", "Is it?"),
        ("and then,", "And then."),
        ("a clause;", "A clause."),
        ("he said —", "He said."),
        ("il dit. —", "Il dit."),
        ("to him?” —", "To him?”"),  # was "To him?”." (The Wind in the Willows)
        ("‘what is it,’", "‘What is it.’"),  # the capital after opening marks, as after none
        ("¿qué dice V.", "¿Qué dice V."),  # El sombrero de tres picos: was "¿qué"
        ("— y luego", "— Y luego."),
        ("»Möchtest du's?«", "»Möchtest du's?"),  # Effi Briest: was "...du's?«.", a stop after the quote
        ("„Ja“", "„Ja."),
        ("“Stop”", "“Stop”."),
        ("Wait…", "Wait…"),
        ("", ""),
    ],
)
def test_finish_matches_the_models_prompt_rules(text, expected):
    assert finish(text) == expected


def test_long_sentence_is_cut_at_the_strongest_boundary_first():
    pieces = split_long_sentence(LONG, words_fit(40))
    assert pieces[0].endswith("grey water;")  # the semicolon, not the first comma
    assert " ".join(pieces).split() == LONG.split()


def test_two_pieces_are_cut_at_the_clause_boundary_nearest_the_middle():
    sentence = "Some years ago — never mind how long precisely, having little or no money in my purse"
    assert split_long_sentence(sentence, words_fit(14)) == [
        "Some years ago — never mind how long precisely,",
        "having little or no money in my purse",
    ]
    assert finish("Some years ago —") == "Some years ago."


def test_a_stronger_mark_wins_when_it_is_nearly_as_central():
    sentence = "He waited at the door for an hour; then, tired of it all, he went slowly home again"
    assert split_long_sentence(sentence, words_fit(12))[0] == "He waited at the door for an hour;"


def test_never_cut_inside_parentheses_or_quotes_when_there_is_another_boundary():
    sentence = "It was, he thought (and it is, by no means, obvious), a plain case of theft after all"
    pieces = split_long_sentence(sentence, words_fit(12))
    assert all(piece.count("(") == piece.count(")") for piece in pieces), pieces
    quoted = "She said, “leave it, leave it alone, please,” and then, at last, she turned to go"
    pieces = split_long_sentence(quoted, words_fit(11))
    assert all(piece.count("“") == piece.count("”") for piece in pieces), pieces


def test_a_quotation_broken_off_by_a_dash_keeps_its_closing_quote():
    # The Wind in the Willows: a segment began with the ” of "Why didn't you tell him—”"
    sentence = (
        "Then they all started grumbling at each other. “How stupid you are! Why didn't you tell him — ” "
        "“Well, why didn't you say — ” “You might have reminded him — ” and so on, in the usual way."
    )
    pieces = split_long_sentence(sentence, words_fit(20))
    assert pieces[0].endswith("tell him — ”"), pieces
    assert not any(piece.startswith(("”", '"')) for piece in pieces), pieces
    assert " ".join(pieces) == sentence


def test_a_sentence_that_is_all_one_aside_is_still_cut():
    sentence = "(one two three, four five six, seven eight nine, ten eleven twelve, thirteen fourteen)"
    pieces = split_long_sentence(sentence, words_fit(6))
    assert all(len(piece.split()) <= 6 for piece in pieces)
    assert " ".join(pieces) == sentence


def test_never_cut_inside_a_spelled_out_number():
    text = "the ports run from zero to sixty-five thousand five hundred and thirty-five in all of them"
    pieces = split_long_sentence(text, words_fit(10))
    assert not any(piece.endswith(("thousand", "five", "hundred", "and")) for piece in pieces[:-1]), pieces


def test_a_cut_between_words_is_never_at_the_to_of_a_range():
    # The Origin of Species: "In 1843-44 Professor Haldeman (Boston Journal of Nat. Hist. U. States, ...)"
    # was cut "In eighteen forty-three. | To forty-four Professor Haldeman", a stop inside the range
    text = (
        "In eighteen forty-three to forty-four Professor Haldeman (Boston Journal of Nat. Hist. U. States, "
        "volume four, page four hundred and sixty-eight) has ably given the arguments for and against the "
        "hypothesis of the development and modification of species:"
    )
    pieces = split_long_sentence(text, lambda piece: len(piece) <= 80)
    assert pieces[0] == "In eighteen forty-three to forty-four Professor Haldeman", pieces


def test_cut_goes_down_to_commas_and_never_inside_a_word():
    pieces = split_long_sentence(LONG, words_fit(12))
    assert all(len(piece.split()) <= 12 for piece in pieces)
    assert " ".join(pieces).split() == LONG.split()  # every word whole, in order
    assert any(piece.endswith(",") for piece in pieces)


def test_clause_groups_are_balanced_not_greedy():
    sentence = "one two three, four five six, seven eight nine, ten eleven twelve, thirteen fourteen"
    # Greedy packing would give 12 words and a 2-word stub; the even cut (by characters) gives 9 + 5.
    assert split_long_sentence(sentence, words_fit(12)) == [
        "one two three, four five six, seven eight nine,",
        "ten eleven twelve, thirteen fourteen",
    ]


def test_between_words_as_a_last_resort():
    sentence = "one two three four five six seven eight nine ten eleven twelve thirteen"
    pieces = split_long_sentence(sentence, words_fit(5))
    assert all(len(piece.split()) <= 5 for piece in pieces)
    assert " ".join(pieces) == sentence
    assert all(len(piece.split()) >= MIN_WORDS for piece in pieces)  # the last piece took words from before


def test_word_cuts_fall_before_a_phrase_and_are_balanced():
    clause = (
        "and the water roaring in its passage through that pipe "
        "is inferior in impetus and velocity to the blood"
    )
    pieces = split_long_sentence(clause, words_fit(15))
    assert pieces == [
        "and the water roaring in its passage",
        "through that pipe is inferior in impetus and velocity to the blood",
    ]


def test_a_single_word_over_budget_is_kept_whole():
    assert split_long_sentence("Supercalifragilistic", words_fit(0)) == ["Supercalifragilistic"]


def test_pack_is_greedy_and_rescues_short_units():
    units = ["One two three four.", "Five six seven.", "Yes.", "Eight nine ten eleven twelve."]
    assert pack(units, words_fit(8)) == [
        "One two three four. Five six seven. Yes.",
        "Eight nine ten eleven twelve.",
    ]
    # The short unit cannot join the full group before it, so it goes with the next one.
    assert pack(["a b c d e f g h.", "No.", "i j k."], words_fit(8)) == ["a b c d e f g h.", "No. i j k."]
    # Neither neighbour has room: it takes the nearest unit of the previous group.
    assert pack(["a b c.", "d e f g h.", "No.", "i j k l m n o p."], words_fit(8)) == [
        "a b c.",
        "d e f g h. No.",
        "i j k l m n o p.",
    ]
    assert pack(["Alone."], words_fit(8)) == ["Alone."]


def test_budget_run_with_the_real_tokenizer(count_tokens):
    sentences = [LONG + ".", "It was over.", "Nobody spoke of it again, not even the cook."]
    out = budget_run(sentences, count_tokens, 30)
    assert all(count_tokens(text) <= 30 for text, _ in out)
    joined = " ".join(text for text, _ in out)

    def words(text):
        return [w.strip(".,;:").lower() for w in text.split()]

    assert words(joined) == words(" ".join(sentences))
    assert out[-1][1] is True  # the run ends a sentence
    assert any(not ends for _, ends in out)  # the long sentence was cut at clauses
    assert all(text[0].isupper() and text[-1] in ".!?" for text, _ in out)


def test_budget_run_packs_whole_sentences(count_tokens):
    sentences = ["It rained.", "We stayed in.", "The fire was warm."]
    assert budget_run(sentences, count_tokens, 50) == [("It rained. We stayed in. The fire was warm.", True)]


def test_cutting_between_words_is_linear_in_the_text():
    """A paragraph without punctuation is cut piece by piece; the text handed to the counter grows linearly.

    The old search joined every remaining suffix (quadratic: a 1 MB paragraph took minutes and gigabytes)."""
    counted = []

    def fits(text: str) -> bool:
        counted.append(len(text))
        return len(text.split()) <= 30

    for words in (2_000, 8_000):
        counted.clear()
        text = " ".join(f"word{i % 97}" for i in range(words))
        pieces = split_long_sentence(text, fits)
        assert " ".join(pieces) == text
        assert all(len(piece.split()) <= 30 for piece in pieces)
        assert sum(counted) < 40 * len(text)  # a bounded number of budget-sized tries per piece


def test_three_pieces_cut_well_beat_two_cut_inside_brackets():
    sentence = (
        "One of the really successful modern attempts at telling new fairy stories was Granny's Wonderful "
        "Chair (eighteen fifty-seven) by the blind poet Frances Browne "
        "(eighteen sixteen to eighteen eighty-seven)"
    )
    pieces = split_long_sentence(sentence, words_fit(16))
    assert " ".join(pieces) == sentence
    assert all(piece.count("(") == piece.count(")") for piece in pieces), pieces


@pytest.mark.parametrize(
    "sentence, language, first",
    [
        # Don Quijote in Spanish was cut "... que | estaba": 4.1% of its segments ended in a word like "a."
        (
            "el cura y el barbero fueron a ver al caballero que estaba en la cama muy flaco y amarillo",
            "es",
            "el cura y el barbero fueron a ver al caballero",
        ),
        (
            "le curé et le barbier allèrent voir le chevalier qui était au lit maigre et jaune depuis",
            "fr",
            "le curé et le barbier allèrent voir le chevalier",
        ),
        # Werther was cut "... zur Ausschweifung und | von süßer Melancholie", leaving "und." at the end
        (
            "mich vom Kummer zur Ausschweifung und von süßer Melancholie zur verderblichen Leidenschaft"
            " übergehen zu sehn",
            "de",
            "mich vom Kummer zur Ausschweifung und von süßer Melancholie",
        ),
    ],
)
def test_a_cut_between_words_falls_before_a_phrase_start_of_the_books_language(sentence, language, first):
    assert split_long_sentence(sentence, words_fit(12), language=language)[0] == first


def test_a_dash_for_a_name_left_out_is_no_place_to_cut():
    # Crime and Punishment: "lodged in S⸺ Place" (normalised "S — Place") was cut "...in S." | "Place..."
    sentence = "a young man came out of the garret in which he lodged in S — Place and walked to K — bridge"
    pieces = split_long_sentence(sentence, words_fit(16))
    assert not any(piece.endswith(("S —", "K —")) for piece in pieces)
    assert " ".join(pieces).split() == sentence.split()
    # a time's letters and a dash still make a dateline's cut (Dracula: "Eleven A M — The attendant has...")
    dateline = "Eleven A M — The attendant has just been to me to say that Renfield"
    assert split_long_sentence(dateline, words_fit(14))[0] == "Eleven A M —"
