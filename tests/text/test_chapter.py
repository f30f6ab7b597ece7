"""prepare_chapter: titles spoken once, pauses by kind of boundary, markers, options handed through."""

import pytest

from audiobook_tts.ingest.book import Block, Chapter
from audiobook_tts.text import PausePlan, Segment, TextError, TextOptions, prepare_chapter
from audiobook_tts.text.chapter import title_headings

PLAN = PausePlan()
ALICE = (
    "Alice was beginning to get very tired of sitting by her sister on the bank, and of having "
    "nothing to do: once or twice she had peeped into the book her sister was reading, but it had no"
    " pictures or conversations in it, ‘and what is the use of a book,’ thought Alice ‘without "
    "pictures or conversations?’"
)


def chapter(title, *blocks):
    return Chapter(title, [Block(kind, text) for kind, text in blocks])


def texts(segments):
    return [segment.text for segment in segments]


@pytest.mark.parametrize(
    "title, headings, spoken",
    [
        (
            "Chapter I. Down the Rabbit-Hole",
            ["CHAPTER I.", "Down the Rabbit-Hole"],
            "Chapter one. Down the Rabbit-Hole.",
        ),
        (
            "Chapter I. Down the Rabbit-Hole",
            ["Chapter I. Down the Rabbit-Hole"],
            "Chapter one. Down the Rabbit-Hole.",
        ),
        ("CHAPTER 1. Loomings.", ["CHAPTER 1. Loomings."], "Chapter one. Loomings."),
        ("Loomings", ["CHAPTER 1. Loomings."], "Chapter one. Loomings."),  # the fuller heading wins
        ("Chapter 1: Loomings", ["Chapter 1"], "Chapter one: Loomings."),  # the fuller TOC label wins
        ("Climate and Soils", ["Climate and Soils."], "Climate and Soils."),
        ("I. THE BURIAL OF THE DEAD", ["I. THE BURIAL OF THE DEAD"], "One. The burial of the dead."),
    ],
)
def test_title_is_spoken_once(title, headings, spoken, count_tokens):
    ch = chapter(
        title, *[("heading", h) for h in headings], ("paragraph", "It began on a quiet grey morning.")
    )
    segments = prepare_chapter(ch, count_tokens)
    assert segments[0] == Segment(segments[0].text, PLAN.title, segments[0].block_index, "title")
    assert texts(segments) == [spoken, "It began on a quiet grey morning."]


def test_a_different_heading_is_kept(count_tokens):
    ch = chapter(
        "Chapter 2", ("heading", "The Carpet-Bag"), ("paragraph", "I stuffed a shirt or two into my bag.")
    )
    assert title_headings(ch, TextOptions()) == ([], False)
    segments = prepare_chapter(ch, count_tokens)
    assert texts(segments) == ["Chapter two.", "The Carpet-Bag.", "I stuffed a shirt or two into my bag."]
    assert [s.kind for s in segments] == ["title", "body", "body"]
    assert segments[1].pause_after == PLAN.heading


def test_titles_can_be_silent(count_tokens):
    ch = chapter("Chapter I", ("heading", "CHAPTER I."), ("paragraph", "It began on a quiet grey morning."))
    segments = prepare_chapter(ch, count_tokens, TextOptions(speak_titles=False))
    assert texts(segments) == ["It began on a quiet grey morning."]  # the repeated heading is not read either


def test_pauses_by_kind(count_tokens):
    ch = chapter(
        "Two",
        ("paragraph", "The first paragraph has one sentence. And then a second one came along."),
        ("paragraph", "A second paragraph follows here."),
        ("scene_break", ""),
        ("list_item", "Bread and butter and jam."),
        ("list_item", "Milk from the farm down the road."),
        ("verse", "April is the cruellest month, breeding\nLilacs out of the dead land, mixing"),
        ("quote", "The quoted passage ends the chapter."),
    )
    segments = prepare_chapter(ch, count_tokens, TextOptions(max_tokens=17))
    pauses = [(s.text, s.pause_after) for s in segments]
    assert pauses == [
        ("Two.", PLAN.title),
        ("The first paragraph has one sentence.", PLAN.sentence),
        ("And then a second one came along.", PLAN.paragraph),
        ("A second paragraph follows here.", PLAN.scene_break),
        ("Bread and butter and jam.", PLAN.list_item),
        ("Milk from the farm down the road.", PLAN.list_item),
        ("April is the cruellest month, breeding.", PLAN.verse_line),
        ("Lilacs out of the dead land, mixing.", PLAN.paragraph),
        ("The quoted passage ends the chapter.", PLAN.chapter_end),
    ]


def test_every_pause_is_configurable(count_tokens):
    plan = PausePlan(sentence=0.3, paragraph=0.9, title=2.0, chapter_end=4.0)
    ch = chapter(
        "One", ("paragraph", "First sentence of it. Second sentence here."), ("paragraph", "Last one here.")
    )
    segments = prepare_chapter(ch, count_tokens, TextOptions(max_tokens=12, pauses=plan))
    assert [s.pause_after for s in segments] == [2.0, 0.3, 0.9, 4.0]


def test_pause_markers(count_tokens):
    ch = chapter(
        "",
        (
            "paragraph",
            "He waited a long time. [pause:2s] Then he spoke again. [pause:none] And left the room.",
        ),
        ("paragraph", "[pause:800ms] She did not follow him. [pause:strong]"),
        ("paragraph", "Nobody said a word. [pause] [pause:x-strong] The end came."),
    )
    segments = prepare_chapter(ch, count_tokens)
    assert [(s.text, s.pause_after) for s in segments] == [
        ("He waited a long time.", 2.0),
        ("Then he spoke again.", 0.0),
        ("And left the room.", max(PLAN.paragraph, 0.8)),  # a marker at a block's start or end: the longer
        ("She did not follow him.", max(1.0, PLAN.paragraph)),
        ("Nobody said a word.", 0.5 + 2.0),  # markers in a row add up
        ("The end came.", PLAN.chapter_end),
    ]


def test_a_bad_marker_is_a_user_error(count_tokens):
    ch = chapter("", ("paragraph", "Wait [pause:forever] here."))
    with pytest.raises(TextError, match=r"\[pause:forever\]"):
        prepare_chapter(ch, count_tokens)


def test_budget_and_normalisation_with_the_real_tokenizer(count_tokens):
    ch = chapter(
        "Chapter I. Down the Rabbit-Hole", ("paragraph", ALICE), ("paragraph", "Dr. Who paid $3.50.")
    )
    segments = prepare_chapter(ch, count_tokens, TextOptions(max_tokens=20))
    assert all(count_tokens(s.text) <= 20 for s in segments)
    assert segments[-1].text == "Doctor Who paid three dollars fifty cents."
    assert segments[0].block_index == -1 and segments[-1].block_index == 1
    assert all(s.block_index == 0 for s in segments[1:-1])


def test_options_reach_the_normaliser(count_tokens):
    ch = chapter("", ("paragraph", "Ahab said ‘no’ — see www.example.com now."))
    options = TextOptions(
        lexicon={"ahab": "Ay-hab"}, replace_characters={"‘": "'", "’": "'", "—": ","}, urls="speak"
    )
    assert texts(prepare_chapter(ch, count_tokens, options)) == [
        "Ay-hab said 'no', see www dot example dot com now."
    ]


def test_the_table_also_reads_the_capital_a_segment_starts_with(count_tokens):
    """The model's fold of a capital it cannot read (É) applies to the capital `finish` makes of é."""
    ch = chapter("", ("paragraph", "étaient là, dit-il. Étude."))
    options = TextOptions(replace_characters={"É": "E"}, language="fr")
    assert texts(prepare_chapter(ch, count_tokens, options)) == ["Etaient là, dit-il. Etude."]


def test_short_utterances_merge_within_a_block_only(count_tokens):
    ch = chapter(
        "", ("paragraph", "Yes. It was he who came."), ("paragraph", "No."), ("paragraph", "He left.")
    )
    segments = prepare_chapter(ch, count_tokens)
    assert texts(segments) == ["Yes. It was he who came.", "No.", "He left."]


def test_placeholders_and_empty_chapters(count_tokens):
    assert prepare_chapter(chapter("", ("paragraph", "  ")), count_tokens) == []
    ch = chapter("", ("placeholder", "[Table omitted]"))
    assert texts(prepare_chapter(ch, count_tokens)) == ["Table omitted."]


def test_verse_lines_are_packed_to_the_budget_at_line_ends(count_tokens):
    poem = (
        "April is the cruellest month, breeding\nLilacs out of the dead land, mixing\n"
        "Memory and desire, stirring\nDull roots with spring rain."
    )
    segments = prepare_chapter(chapter("", ("verse", poem)), count_tokens, TextOptions(max_tokens=50))
    assert len(segments) < 4  # not one segment per line
    spoken = " ".join(s.text for s in segments)
    assert "breeding, Lilacs" in spoken  # a line end is a comma, never a fake full stop
    assert "breeding." not in spoken
    for segment in segments:
        assert count_tokens(segment.text) <= 50


def test_a_verse_line_that_cannot_end_a_phrase_runs_on_without_a_comma(count_tokens):
    """Dracula's dedication ("To / My Dear Friend / Hommy-Beg") was heard "To, My Dear Friend, Hommy-Beg",
    The Waste Land's "I've never been the / same" as "the, same". A preposition may end a phrase (Frost's
    "What will we come to / With all this pride"): it runs on only as a line of its own."""

    def spoken(verse: str) -> str:
        segments = prepare_chapter(chapter("", ("verse", verse)), count_tokens, TextOptions(max_tokens=50))
        return " ".join(s.text for s in segments)

    assert spoken("To\nMy Dear Friend\nHommy-Beg") == "To My Dear Friend, Hommy-Beg."
    assert spoken("but I've never been the\nsame.") == "But I've never been the same."
    assert spoken("What will we come to\nWith all this pride") == "What will we come to, With all this pride."
    assert spoken("Then spoke the thunder\nDA\nDatta") == "Then spoke the thunder, D A, Datta."


def test_a_verse_line_over_the_budget_is_cut_like_prose(count_tokens):
    line = "And I will show you something different from either your shadow at morning striding behind you"
    segments = prepare_chapter(
        chapter("", ("verse", f"Short line here\n{line}")), count_tokens, TextOptions(max_tokens=12)
    )
    assert all(count_tokens(s.text) <= 12 for s in segments)
    assert " ".join(s.text for s in segments).count("shadow") == 1


def test_a_note_read_aloud_has_a_spoken_cue(count_tokens):
    ch = chapter("", ("paragraph", "A claim here."), ("note", "The first note."), ("note", "Note that it's."))
    spoken = texts(prepare_chapter(ch, count_tokens))
    assert spoken == ["A claim here.", "Note: The first note.", "Note that it's."]


def test_a_heading_set_twice_is_spoken_once(count_tokens):
    ch = chapter("Eredità", ("heading", "Eredità"), ("heading", "Eredità"), ("paragraph", "Il testo."))
    spoken = texts(prepare_chapter(ch, count_tokens, TextOptions(language="it")))
    assert spoken == ["Eredità.", "Il testo."]


def test_a_placeholder_title_is_shown_but_never_spoken(count_tokens):
    ch = Chapter("Front matter", [Block("paragraph", "The Decretum is a towering achievement.")])
    assert texts(prepare_chapter(ch, count_tokens))[0] == "Front matter."
    ch.placeholder_title = True
    assert texts(prepare_chapter(ch, count_tokens)) == ["The Decretum is a towering achievement."]
    assert ch.title == "Front matter"  # still the name `inspect` and the chapter marks show
