"""Every real book in the corpus, through ingest and the text stage: within budget, nothing lost, no
front matter.

"Nothing lost" is checked mechanically: every word of the included chapters' blocks must appear
among the spoken words (as a multiset), except words that normalisation rewrites by design: numbers
(and what is glued to them), abbreviations with their period, Roman numerals, short all-caps
acronyms (spelled letter by letter) and URLs.
"""

import re
from collections import Counter

import pytest

from audiobook_tts.text import TextOptions, prepare_chapter
from audiobook_tts.text.normalize import NormalizeContext, unicode_cleanup
from audiobook_tts.text.normalize.english_abbreviations import _ABBREVIATIONS, _BEFORE_NUMBER, _TITLES
from audiobook_tts.text.normalize.measures import _UNITS
from audiobook_tts.text.pauses import PAUSE_MARKER
from audiobook_tts.text.sentences import KNOWN_ABBREVIATIONS
from tests.fixtures.shared import CORPUS

BOOKS = sorted(CORPUS.glob("*.epub"))
WORD = re.compile(r"[^\W\d_]+")
MAX_TOKENS = 50

# Abbreviations the normaliser or the sentence splitter knows, written with their period.
ABBREVIATIONS = sorted(
    {k.lower() for k in (*_TITLES, *_BEFORE_NUMBER)}
    | {k.rstrip(".").lower() for k in _ABBREVIATIONS if k[0].isalpha()}
    | {k.rstrip(".").lower() for k in _UNITS if k.rstrip(".").isalpha()}
    | {k for k in KNOWN_ABBREVIATIONS if k.isalpha()}
    | {"st", "dr"},
    key=len,
    reverse=True,
)
NUMBERED = "Chapter|Book|Part|Section|Volume|Act|Scene|Canto|Letter|Stave|Psalm|Article|Appendix"
# Rewritten by design (see the module docstring): each alternative removes a written form before counting.
REWRITTEN = re.compile(
    rf"""
    (?:https?://|www\.)\S+ | \S+@\S+\.\w+              # URLs and e-mail addresses
    | \S*\d\S*(?:\s+[^\W\d_]{{1,3}}\.?(?!\w))?          # numbers, with what is glued to them or a unit after
    | \b(?:[^\W\d_]\.){{2,}}                           # dotted initialisms: e.g. i.e. U.S. a.m.
    | (?i:\b(?:{"|".join(ABBREVIATIONS)})\.)            # known abbreviations: Mr. St. etc. approx.
    | \b(?:Mr|Mrs|Ms|Dr|St)\b(?=\s[A-Z][a-z])          # British titles without a period: St Luke's
    | &c\.                                               # the old "et cetera"
    | (?i:\b(?:{NUMBERED})\.?\s+[IVXLCDM]+\b)          # Chapter IV, BOOK II
    | \b[A-Z][a-z]+\s+[IVXL]{{1,5}}\b(?![a-z'’])       # Henry VIII (the name is not checked either)
    | \b[IVXLCDM]+\.                                   # a numeral heading: I. II.
    | \b[ivxl]{{2,}}(?=[.,;:)])                         # a small numeral in a reference: iii. xlviii,
    | \b[A-Z][A-Z'’]{{1,4}}\b(?![a-z])                 # all-caps words of 2-5 letters: acronyms, numerals
    """,
    re.VERBOSE,
)


def written_words(text: str) -> list[str]:
    text = unicode_cleanup(PAUSE_MARKER.sub(" ", text), NormalizeContext())
    return WORD.findall(REWRITTEN.sub(" ", text).lower())


@pytest.fixture(scope="module", params=BOOKS, ids=[p.name for p in BOOKS])
def prepared(request, count_tokens):
    from audiobook_tts.ingest import load_book

    book = load_book(request.param)
    options = TextOptions(max_tokens=MAX_TOKENS)
    chapters = [(chapter, prepare_chapter(chapter, count_tokens, options)) for chapter in book.chapters]
    return book, chapters


def test_the_corpus_is_there():
    assert len(BOOKS) >= 6


def test_no_segment_over_budget(prepared, count_tokens):
    _, chapters = prepared
    over = [
        s.text
        for chapter, segments in chapters
        if chapter.included
        for s in segments
        if count_tokens(s.text) > MAX_TOKENS
    ]
    assert over == []


def test_segments_are_finished_and_paused(prepared):
    _, chapters = prepared
    for chapter, segments in chapters:
        if not chapter.included or not segments:
            continue
        assert all(s.text and s.text == s.text.strip() and s.text[-1] in ".!?…'\"”’)]»" for s in segments)
        assert all(s.pause_after >= 0 for s in segments)
        assert segments[-1].pause_after >= TextOptions().pauses.chapter_end


def test_no_text_lost(prepared):
    _, chapters = prepared
    for chapter, segments in chapters:
        if not chapter.included:
            continue
        written = Counter(w for block in chapter.blocks for w in written_words(block.text))
        spoken = Counter(w for s in segments for w in WORD.findall(s.text.lower()))
        lost = written - spoken
        assert not lost, f"{chapter.title!r}: lost {dict(lost.most_common(10))}"


def test_every_number_is_in_words(prepared):
    _, chapters = prepared
    digits = [
        s.text
        for chapter, segments in chapters
        if chapter.included
        for s in segments
        if re.search(r"\d", s.text)
    ]
    assert digits == []


def test_every_included_chapter_has_speech(prepared):
    book, chapters = prepared
    assert any(chapter.included for chapter in book.chapters)
    for chapter, segments in chapters:
        if chapter.included and any(
            block.text.strip() and block.kind != "heading" for block in chapter.blocks
        ):
            assert any(s.kind == "body" for s in segments), chapter.title


def test_no_front_matter_in_the_narration(prepared):
    """No paragraph of an excluded chapter is read (headings and list items may repeat chapter titles)."""
    book, chapters = prepared
    narration = {s.text for chapter, segments in chapters if chapter.included for s in segments}
    for chapter, segments in chapters:
        if chapter.included:
            continue
        prose = {i for i, block in enumerate(chapter.blocks) if block.kind in ("paragraph", "verse", "quote")}
        leaked = [
            s.text
            for s in segments
            if s.block_index in prose and len(s.text.split()) >= 6 and s.text in narration
        ]
        assert leaked == [], f"{chapter.title!r} ({chapter.excluded_reason}) is read: {leaked[:3]}"


def test_gutenberg_licence_is_not_read(count_tokens):
    from audiobook_tts.ingest import load_book

    book = load_book(CORPUS / "alice-gutenberg-pg11.epub")
    spoken = " ".join(
        s.text
        for chapter in book.chapters
        if chapter.included
        for s in prepare_chapter(chapter, count_tokens)
    )
    assert "Gutenberg" not in spoken and "licence" not in spoken.lower() and "license" not in spoken.lower()
    assert "Alice was beginning to get very tired" in spoken
