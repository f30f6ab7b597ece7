"""Block stream + chapter starts -> Chapters: split off matter, judge what to read, place notes.

Every reader (EPUB, HTML, Markdown, text) ends here, so the rules for front/back matter, empty chapters
and notes are the same for all formats.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from audiobook_tts.ingest.book import Block, Book, BookError, Chapter, Metadata
from audiobook_tts.ingest.language import guess_language
from audiobook_tts.ingest.matter import (
    GUTENBERG_LICENCE,
    credited_openings,
    gutenberg_marker,
    matter_from_credit,
    matter_from_text,
    matter_from_title,
    title_for_reason,
)
from audiobook_tts.ingest.options import NotesMode
from audiobook_tts.ingest.xhtml import RawBlock

log = logging.getLogger(__name__)

NO_TEXT = "no readable text"
# loose text before the first TOC entry shorter than this is a title page, not a prologue
_SHORT_FRONT_WORDS = 60


@dataclass
class Draft:
    """A chapter in the making."""

    title: str
    level: int
    source: str
    synthetic: bool = False
    blocks: list[RawBlock] = field(default_factory=list)
    block_docs: list[str] = field(default_factory=list)  # the document each block came from
    reason: str | None = None
    doc: str = ""  # the document the chapter's start points into
    placeholder_title: bool = False  # a title we made up: shown, never spoken (Chapter.placeholder_title)

    def add(self, block: RawBlock, doc: str) -> None:
        self.blocks.append(block)
        self.block_docs.append(doc)


def _has_text(blocks: list[RawBlock]) -> bool:
    """Text a listener wants among the blocks: more than headings and breaks, outside front/back matter."""
    return any(b.kind not in ("heading", "scene_break") and b.matter is None for b in blocks)


def _mark_gutenberg_boilerplate(draft: Draft) -> None:
    """A block holding a Project Gutenberg marker bounds its boilerplate: the blocks from an END marker on are
    the licence, and in the text before the first chapter the blocks up to a START marker are the header.
    Marked only when real text lies on the other side (a poem with no heading between it and the licence),
    which is then read; a chapter that is all boilerplate, or only a heading before it ("FOOTNOTES"), is
    recognised whole by matter_from_text. So is a chapter holding a START marker: a heading in the header
    ("The Project Gutenberg eBook of ...") started it, and the producers' credits follow the marker."""
    for index, block in enumerate(draft.blocks):
        reason = gutenberg_marker(block.text) if block.matter is None else None
        if reason == GUTENBERG_LICENCE:
            boilerplate, beside = draft.blocks[index:], draft.blocks[:index]
        elif reason and draft.synthetic:
            boilerplate, beside = draft.blocks[: index + 1], draft.blocks[index + 1 :]
        else:
            continue
        if _has_text(beside):
            for part in boilerplate:
                part.matter = part.matter or reason


def _runs(draft: Draft) -> list[Draft]:
    """Consecutive blocks with the same matter reason, as drafts of their own."""
    runs: list[Draft] = []
    for block, doc in zip(draft.blocks, draft.block_docs, strict=True):
        if not runs or runs[-1].reason != block.matter:
            runs.append(Draft("", draft.level, draft.source, True, reason=block.matter, doc=doc))
        runs[-1].add(block, doc)
    return runs


def _first_heading(draft: Draft) -> str | None:
    """The first of the draft's headings of the shallowest level it has (h1 before a leading h4 note)."""
    headings = [b for b in draft.blocks if b.kind == "heading"]
    levels = [b.level for b in headings if b.level]
    top = min(levels) if levels else 0
    return next((b.text for b in headings if b.level == top or not top), None)


def _words(draft: Draft) -> int:
    return sum(len(b.text.split()) for b in draft.blocks)


def split_matter(drafts: list[Draft]) -> list[Draft]:
    """Give front/back matter inside a chapter's region (a Gutenberg licence after the last chapter,
    a copyright page file the TOC does not list) chapters of their own, so they can be left out."""
    result: list[Draft] = []
    for draft in drafts:
        _mark_gutenberg_boilerplate(draft)
        runs = _runs(draft)
        if draft.synthetic:  # text before the first TOC entry
            for run in runs:
                if run.reason is None:
                    heading = _first_heading(run)
                    run.title, run.placeholder_title = heading or "Front matter", heading is None
                    if _words(run) < _SHORT_FRONT_WORDS:
                        run.reason = (
                            "front matter: title page (short text before the first table-of-contents entry)"
                        )
                else:
                    run.title = title_for_reason(run.reason)
                result.append(run)
            continue
        # text from a spine document no TOC entry points at belongs to the entry before it
        owned = bool(runs) and (runs[0].doc == draft.doc or runs[0].reason is None)
        head = Draft(draft.title, draft.level, draft.source, False, doc=draft.doc)
        head.placeholder_title = draft.placeholder_title  # a title of ours stays unspoken
        if owned:
            first = runs.pop(0)
            head.blocks, head.block_docs, head.reason = first.blocks, first.block_docs, first.reason
        result.append(head)
        for run in runs:  # after matter inside the region: the chapter's text goes on, under a name of ours
            run.title = title_for_reason(run.reason) if run.reason else f"{draft.title} (continued)"
            run.placeholder_title = run.reason is None
            result.append(run)
    return result


# the book's first words, where a title page credits a preface or an introduction to its writer
_TITLE_PAGE_REACH = 1000


def classify(
    drafts: list[Draft], landmarks: dict[str, str], declared_title: str = "", authors: list[str] | None = None
) -> None:
    """Set `reason` on drafts a listener would not want read: landmarks, titles, text heuristics, empty."""
    opening = " ".join(" ".join(b.text for d in drafts for b in d.blocks).split()[:_TITLE_PAGE_REACH])
    credits = credited_openings(opening, authors or [])
    first_text = next(
        (
            i
            for i, d in enumerate(drafts)
            if not d.synthetic
            and d.reason is None
            and any(b.kind not in ("heading", "scene_break") for b in d.blocks)
        ),
        len(drafts),
    )
    for index, draft in enumerate(drafts):
        if draft.reason:
            continue
        text = "\n".join(b.text for b in draft.blocks)
        if not text.strip():
            draft.reason = NO_TEXT
            continue
        draft.reason = (
            landmarks.get(draft.source)
            or matter_from_title(draft.title)
            or matter_from_credit(draft.title, credits)
            or matter_from_text(text)
        )
        credits.pop(_bare(draft.title), None)  # the credit is the first preface's, not a later one's
        if draft.reason is None and index < first_text and not draft.synthetic:
            following = drafts[index + 1] if index + 1 < len(drafts) else None
            has_children = following is not None and following.level > draft.level
            if not has_children:
                draft.reason = "front matter: title page (only headings before the first text)"
        if (
            draft.reason is None
            and index <= first_text
            and _is_title_page(draft, declared_title)
            and any(d.blocks for d in drafts[index + 1 :])  # the book's only text is no title page
        ):
            draft.reason = "front matter: title page (the book's title and a few lines)"


def _bare(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def _is_title_page(draft: Draft, book_title: str) -> bool:
    """The first text is a title page when it is headed by the book's own title and says no more than a
    title page does (author, illustrator, publisher, imprint): Gutenberg HTML made into an EPUB by Pandoc."""
    heading = _first_heading(draft) or draft.title
    return bool(book_title) and _bare(heading) == _bare(book_title) and _words(draft) < _SHORT_FRONT_WORDS


_NUMBER_LABEL = re.compile(r"(?i)(?:[^\W\d_]+\s+)?(?:[ivxlc]+|\d+|one|two|three|four|five|six)\.?")


def _full_title(title: str, blocks: list[RawBlock]) -> str:
    """A table-of-contents label that is only the number of a part ("Part I") takes the subtitle heading
    that follows it in the text: "Part I: Of the Origin of Things". A label that runs a number into its
    title ("II DO LIVRO") takes the heading that ends the number ("II. DO LIVRO", see xhtml)."""
    headings = []
    for block in blocks:
        if block.kind != "heading":
            break
        headings.append(block.text)
    numbered = _NUMBER_LABEL.fullmatch(title.strip())
    if numbered and len(headings) >= 2 and _bare(headings[0]) == _bare(title) and len(headings[1]) <= 100:
        return f"{title.rstrip('.:')}: {headings[1]}"
    if headings and _bare(headings[0]) == _bare(title) and headings[0].count(". ") > title.count(". "):
        return headings[0]
    return title


def _place_notes(draft: Draft, notes: dict[str, str], mode: NotesMode, used: set[str]) -> list[Block]:
    blocks: list[Block] = []
    trailing: list[Block] = []
    for raw in draft.blocks:
        if raw.text or raw.kind == "scene_break":
            blocks.append(Block(raw.kind, raw.text, raw.cue))
        if mode == "drop":
            continue
        for key in raw.note_refs:
            if key in notes and key not in used:
                used.add(key)
                (blocks if mode == "inline" else trailing).append(Block("note", notes[key]))
            elif key not in notes:
                log.debug("note %s is referenced but was not found", key)
    return blocks + trailing


def finish(
    path: Path,
    metadata: Metadata,
    drafts: list[Draft],
    notes: dict[str, str],
    *,
    notes_mode: NotesMode,
    include_front_matter: bool,
    landmarks: dict[str, str] | None = None,
    lexicon: dict[str, str] | None = None,
    declared_title: str = "",
) -> Book:
    """The book from its drafts. `declared_title` is a title the file itself declares (an EPUB's dc:title),
    which recognises a title page; Markdown and HTML take their title from a heading, so they pass none."""
    drafts = split_matter(drafts)
    drafts = [d for d in drafts if d.blocks or not d.synthetic]
    classify(drafts, landmarks or {}, declared_title, metadata.authors)
    used: set[str] = set()
    chapters = []
    for draft in drafts:
        included = draft.reason is None or (include_front_matter and draft.reason != NO_TEXT)
        title = _full_title(draft.title, draft.blocks) or _first_heading(draft)
        blocks = _place_notes(draft, notes, notes_mode, used)
        chapters.append(
            Chapter(
                title=title or "Untitled",
                blocks=blocks,
                level=draft.level,
                included=included,
                excluded_reason=None if included else draft.reason,
                source=draft.source,
                synthetic=draft.synthetic,
                omissions=[block.omission for block in draft.blocks if block.omission],
                placeholder_title=draft.placeholder_title or not title,
                # (a note read in it is text of its own)
                title_only=_says_only_its_title(draft.blocks) and all(b.kind != "note" for b in blocks),
            )
        )
    mark_letter_titles(chapters)
    name_sections(chapters)
    chapters = join_short_sections(chapters)
    chapters = join_title_only_chapters(chapters)
    if not any(c.blocks for c in chapters):
        raise BookError(f"{path}: the book contains no readable text")
    if not any(c.included and c.blocks for c in chapters):
        reason = next(c.excluded_reason for c in chapters if c.blocks)
        raise BookError(
            f"{path}: all of the book's text is front or back matter (e.g. {reason}); "
            "include it with the front-matter option"
        )
    if not metadata.language:
        metadata.language = guess_language(chapters)
        log.info("%s: no language given; %s guessed from the text", path, metadata.language)
    return Book(metadata, chapters, dict(lexicon or {}))


def _says_only_its_title(blocks: list[RawBlock]) -> bool:
    """Only headings, breaks and what a <header> holds with its headings, as a subtitle is the title's: The
    Wealth of Nations' "Book I" is a <header> holding the heading and a summary ("Of the causes of improvement
    in the productive powers of labour, and of the order according to which its produce is ...")."""
    said = [b for b in blocks if b.text or b.kind == "scene_break"]
    return bool(said) and all(b.kind in ("heading", "scene_break") or b.in_header for b in said)


# "I", "2.", and "65A": a section added between two numbered ones takes the first's number and a letter
_NUMBER_TITLE = re.compile(r"(?:[IVXLCDM]+|\d+[A-Za-z]?)\.?")
_LABEL_TITLE = re.compile(r"[^\W\d_]+\s+(?:[IVXLCDM]+|\d+)\.?")  # "Scene VI", "Chapter 3"


def mark_letter_titles(chapters: list[Chapter]) -> None:
    """Sections titled by their letter in alphabetical order ("A", "B", "C" ...: a dictionary, a glossary)
    are letters: The Devil's Dictionary had said "One hundred" for C, "Fifty" for L and "Ten" for X. Known
    by a run of such titles in a row, each after the one before in the alphabet, two or more of them no
    Roman numeral; a novel's "I" before "II" stays a number."""

    def letter(chapter: Chapter) -> str:
        title = chapter.title.strip().rstrip(".")
        return title if len(title) == 1 and title.isalpha() and title.isupper() else ""

    run: list[Chapter] = []
    for chapter in [*chapters, None]:
        if chapter and letter(chapter) and (not run or letter(chapter) > letter(run[-1])):
            run.append(chapter)
            continue
        if sum(letter(c) not in "IVXLCDM" for c in run) >= 2:
            for section in run:
                section.letter_title = True
        run = [chapter] if chapter and letter(chapter) else []


def name_sections(chapters: list[Chapter]) -> None:
    """A section titled only by its number ("I", "2.", "65A") is listed with its parent's title (`part_of`):
    a player's chapter list of numbered poems or stories otherwise reads "1", "2", ... again and again. So,
    within a chapter that is read, is a section titled by a word and a number ("Scene VI"), or by a title
    another chapter has too: The Origin of Species has six "Summary" sections, Hamlet a "Scene II" in four
    acts."""
    titles = Counter(_bare(chapter.title) for chapter in chapters)
    above: list[Chapter] = []  # the chapters enclosing this one, shallowest first
    for chapter in chapters:
        while above and above[-1].level >= chapter.level:
            above.pop()
        title = chapter.title.strip()
        alike = bool(_LABEL_TITLE.fullmatch(title)) or titles[_bare(title)] > 1
        numbered = _NUMBER_TITLE.fullmatch(title) and not chapter.letter_title
        if above and (numbered or (alike and above[-1].included)):
            chapter.part_of = above[-1].listed_title
        above.append(chapter)


SHORT_SECTION_WORDS = 250  # about a minute and a half read aloud


def _same_document(section: Chapter, chapter: Chapter) -> bool:
    """The section starts in the spine document the chapter's text ends in."""
    return section.source.partition("#")[0] == [chapter.source, *chapter.continued_in][-1].partition("#")[0]


def _read_within(chapter: Chapter, section: Chapter, *lead: Block) -> None:
    """`section` read at the end of `chapter`, after a break and `lead` (its number); a section starting in
    another document is recorded where it starts (`continued_in`), for the read-along EPUB."""
    chapter.blocks += [Block("scene_break", ""), *lead, *section.blocks]
    chapter.omissions += section.omissions
    chapter.title_only = False
    if not _same_document(section, chapter):
        chapter.continued_in.append(section.source)
    chapter.continued_in += section.continued_in


def join_short_sections(chapters: list[Chapter]) -> list[Chapter]:
    """Numbered sections that are short on average (a poem's stanzas, a song's verses) are read within the
    chapter that holds them, each after a break and its number: Keats's *Isabella* had been 63 chapters of
    about 64 words, each a chapter mark, a file and a chapter's closing pause. Only sections of the same
    document as their chapter, all read or all left out with it."""
    joined: list[Chapter] = []
    index = 0
    while index < len(chapters):
        chapter = chapters[index]
        sections = []
        for section in chapters[index + 1 :]:
            numbered = _NUMBER_TITLE.fullmatch(section.title.strip())
            if section.level != chapter.level + 1 or section.part_of != chapter.listed_title or not numbered:
                break
            sections.append(section)
        words = sum(len(b.text.split()) for s in sections for b in s.blocks)
        alike = all(_same_document(s, chapter) and s.included == chapter.included for s in sections)
        if len(sections) >= 2 and words < SHORT_SECTION_WORDS * len(sections) and alike:
            for section in sections:  # each after its number (the title stays a segment of its own)
                has_heading = bool(section.blocks) and section.blocks[0].kind == "heading"
                _read_within(chapter, section, *([] if has_heading else [Block("heading", section.title)]))
            index += len(sections)
        joined.append(chapter)
        index += 1
    return joined


def join_title_only_chapters(chapters: list[Chapter]) -> list[Chapter]:
    """A chapter that is only its title (its headings, or a <header> with a summary: Chapter.title_only),
    followed by its first section, is read with that section and listed with both titles ("Act I: Scene I"):
    its title, a break, then the section's heading and text. Darwin's "I: Variation Under Domestication",
    Hamlet's acts, Crime and Punishment's parts and The Wealth of Nations' books (each a document of its
    own, before its first chapter's: kept in `continued_in`, for the read-along EPUB) had been chapters of a
    few seconds (a mark, a file and a chapter's closing pause before the section that opens them). A first
    section that is only its title too takes its own first section in turn: The Wealth of Nations' "Book V",
    then "I: Of the Expenses of the Sovereign or Commonwealth", then its "Part I: Of the Expense of Defence".
    The later sections stay chapters, as where a chapter has text of its own before its first section."""
    joined: list[Chapter] = []
    depth = 0  # the level of the chapter read last, within the last one kept or as it
    for chapter in chapters:
        head = joined[-1] if joined else None
        if (
            head is not None
            and head.included
            and chapter.included
            and head.title_only
            and chapter.level == depth + 1
        ):
            title_only = chapter.title_only
            _read_within(head, chapter)
            head.title_only = title_only  # titles read with a title are titles still
            title = "" if chapter.placeholder_title else chapter.title
            head.first_section = ": ".join(t.strip().rstrip(".") for t in (head.first_section, title) if t)
        else:
            joined.append(chapter)
        depth = chapter.level
    return joined


LONG_CHAPTER_WORDS = 12_000  # about 80 minutes read aloud: chapters longer on average go a level deeper


def chapter_levels(blocks: list[RawBlock]) -> list[int]:
    """The heading levels that start chapters in a single-document book (HTML, Markdown).

    The chapter level is the shallowest heading level used more than once: a level used once above it is the
    book's title, and deeper levels are sections read inside their chapter (so twelve "##" sections with
    "### In This Chapter" inside make twelve chapters). If those chapters would average more than
    LONG_CHAPTER_WORDS words and a deeper level repeats more often (261 letters in 2 volumes), the deeper
    level makes the chapters and the shallower one parts: [parts level, chapter level]. With no repeated
    level, h1 and h2 start chapters (the shallowest level if neither is used); with no headings, none.
    """
    counts = Counter(b.level for b in blocks if b.kind == "heading" and b.level)
    if not counts:
        return []
    repeated = sorted(level for level, count in counts.items() if count >= 2)
    if not repeated:  # every level used once: h1 and h2 both start (nested) chapters
        return [level for level in sorted(counts) if level <= 2] or [min(counts)]
    chosen = [repeated[0]]
    words = sum(len(b.text.split()) for b in blocks)
    for deeper in repeated[1:]:
        if words / counts[chosen[-1]] <= LONG_CHAPTER_WORDS or counts[deeper] <= counts[chosen[-1]]:
            break
        chosen.append(deeper)
    return chosen[-2:]


def title_heading(blocks: list[RawBlock]) -> str | None:
    """The book's own title: the first heading above the chapter level (a level used once), else a leading
    h1/h2; None otherwise (a leading "#### Note" is no title: the file name is better)."""
    levels = chapter_levels(blocks)
    headings = [b for b in blocks if b.kind == "heading" and b.level]
    above = [b for b in headings if b.level < levels[0]] if levels else []
    if above:
        return above[0].text
    return headings[0].text if headings and headings[0].level <= 2 else None


def chapters_from_headings(blocks: list[RawBlock], source: str, title: str) -> list[Draft]:
    """For single-document formats: a chapter starts at each heading of the chapter levels (see
    `chapter_levels`); with no headings at all the whole text is one chapter named `title`."""
    chapter_levels_ = chapter_levels(blocks)
    if not chapter_levels_:
        draft = Draft(title, 1, source, doc=source)
        for block in blocks:
            draft.add(block, source)
        return [draft]
    drafts = [Draft("", 1, source, synthetic=True, doc=source)]
    for block in blocks:
        if block.kind == "heading" and block.level in chapter_levels_:
            level = chapter_levels_.index(block.level) + 1
            drafts.append(Draft(block.text, level, f"{source}#{len(drafts)}", doc=source))
        drafts[-1].add(block, source)
    if not drafts[0].blocks:
        drafts.pop(0)
    return drafts
