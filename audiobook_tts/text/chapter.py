"""One chapter in, the exact list of segments the model will speak out, each with the pause that follows it.

Order of work per block: cut at inline pause markers, split into sentences (on the written text, where
periods still mark abbreviations), normalise each sentence, then pack into segments within the token budget.

Pause rules (all values from `PausePlan`):
* between segments of a block: `sentence` (or `clause` when a long sentence was cut);
* after a block: by kind (paragraph, heading, list item, verse line/stanza); a scene break adds `scene_break`
  after whatever precedes it; the chapter's last segment gets at least `chapter_end`;
* an inline marker sets the pause at its point, replacing the sentence pause (SSML semantics:
  `[pause:none]` joins two sentences); at a block's start or end the longer of the marker and the block
  pause wins; markers in a row add up.
The chapter title is spoken first (option `speak_titles`) and followed by `title`; heading blocks that repeat
the table-of-contents label are recognised (compared as normalised words) and spoken once. A placeholder title
of ours ("Front matter") is never spoken: the listener hears only the book's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from audiobook_tts.ingest.book import Block, Chapter
from audiobook_tts.ingest.cues import cue_words, word_cue
from audiobook_tts.text.normalize import NormalizeContext, language_code, normalize
from audiobook_tts.text.pauses import PausePlan, split_on_markers
from audiobook_tts.text.segments import Segment, TokenCounter, budget_run, finish
from audiobook_tts.text.sentences import split_sentences


@dataclass
class TextOptions:
    """How a chapter's text becomes segments.

    `language` is the normalisation language (numbers, Roman numerals, dates, address words): it should be
    the language the voice/model speaks, not the book's metadata (an Italian book tagged "en" read by the
    Italian model is normalised in Italian); the caller decides, e.g. from `--language` or the model.
    `urls`: web and mail addresses in a short spoken form ("example dot com"), spelled in full, or dropped.
    """

    max_tokens: int = 50  # the model's token budget per call
    pauses: PausePlan = field(default_factory=PausePlan)
    speak_titles: bool = True
    urls: Literal["short", "speak", "drop"] = "short"
    replace_characters: dict[str, str] = field(default_factory=dict)  # the model config's own table
    lexicon: dict[str, str] = field(default_factory=dict)  # word -> respelling (whole word, case-aware)
    language: str = "en"


def _context(options: TextOptions, heading: bool = False, verse: bool = False) -> NormalizeContext:
    return NormalizeContext(
        urls=options.urls,
        lexicon=options.lexicon,
        replace_characters=options.replace_characters,
        heading=heading,
        verse=verse,
        language=options.language,
    )


def normalized_words(text: str, options: TextOptions, heading: bool = True) -> list[str]:
    """Lower-case words of the normalised text: the form in which titles and headings are compared."""
    spoken = " ".join(_spoken_sentences(text, options, heading))
    return re.findall(r"[^\W_]+", spoken.lower())


def _contains(outer: list[str], inner: list[str]) -> bool:
    return any(outer[i : i + len(inner)] == inner for i in range(len(outer) - len(inner) + 1))


def title_headings(chapter: Chapter, options: TextOptions) -> tuple[list[int], bool]:
    """(indices of leading heading blocks that repeat the chapter title, speak them instead of the title?).

    "Chapter I. Down the Rabbit-Hole" matches the headings "CHAPTER I." + "Down the Rabbit-Hole"; the TOC
    label "Loomings" matches the heading "CHAPTER 1. Loomings"; then the fuller heading is spoken.
    """
    title = [] if chapter.placeholder_title else normalized_words(chapter.title, options)
    if not title:
        return [], False
    leading: list[int] = []
    for index, block in enumerate(chapter.blocks):
        if block.kind == "heading" and block.text.strip():
            leading.append(index)
        elif block.text.strip() or block.kind == "scene_break":
            break
    best: list[int] = []
    heading: list[str] = []
    best_words: list[str] = []
    for count, index in enumerate(leading, start=1):
        heading = heading + normalized_words(chapter.blocks[index].text, options)
        if heading and (_contains(title, heading) or _contains(heading, title)):
            best, best_words = leading[:count], heading
    return best, len(best_words) > len(title)


def _runs(text: str, block_pause: float) -> list[tuple[str, float, bool]]:
    """Cut a block's text at pause markers: [(text, pause after it, ends at a marker?), ...]."""
    pieces = split_on_markers(text)
    runs: list[tuple[str, float, bool]] = []
    for number, (piece, marker) in enumerate(pieces):
        if marker is None:
            runs.append((piece, block_pause, False))
        elif number + 1 == len(pieces) - 1 and not pieces[-1][0].strip():
            runs.append((piece, max(marker, block_pause), True))  # a marker at the very end of the block
        else:
            runs.append((piece, marker, True))
    return runs


_SAYABLE = re.compile(r"[^\W_]")


def _spoken_sentences(
    text: str, options: TextOptions, heading: bool = False, verse: bool = False
) -> list[str]:
    """Normalised sentences; one with nothing to say (a lone closing quote, ".", "???") is left out."""
    context = _context(options, heading, verse)
    return [spoken for s in split_sentences(text) if _SAYABLE.search(spoken := normalize(s, context))]


def _speak_sentences(
    sentences: list[str],
    pause: float,
    block_index: int,
    kind: Literal["title", "body"],
    count_tokens: TokenCounter,
    options: TextOptions,
) -> list[Segment]:
    """Normalised sentences of one run -> segments; inner pauses are sentence or clause pauses, the last gets
    `pause`."""
    if not sentences:
        return []
    packed = budget_run(sentences, count_tokens, options.max_tokens, language_code(options.language))
    plan = options.pauses
    segments = [
        Segment(text, plan.sentence if ends_sentence else plan.clause, block_index, kind)
        for text, ends_sentence in packed
    ]
    segments[-1].pause_after = pause
    return segments


_LINE_END_MARKS = ".,;:!?…—–-\"'”’)»"
_STRONG_LINE_END = ".;:!?…"
# Words a phrase cannot end on (articles, conjunctions, possessives): a line ending on one runs on into the
# next with no breath ("never been the / same"). A preposition can end one ("What will we come to, / With
# all this pride"), so it runs on only as a line of its own: a dedication's "To / My Dear Friend", "By".
_RUN_ON_WORDS = {
    "en": set("a an the and or nor my your our their".split()),
    "fr": set("le la les un une des du et ou mon ma mes".split()),
    "de": set("der die das den dem des ein eine einen einem und oder".split()),
    "it": set("il lo la gli le un una del della e o".split()),
    "es": set("el la los las un una del y o".split()),
}
_LONE_PREPOSITIONS = set("to for by from with of in à pour par de an für von zu a per di da para con".split())


def _verse_segments(
    lines: list[str], index: int, count_tokens: TokenCounter, options: TextOptions
) -> list[Segment]:
    """Verse: whole lines packed up to the budget, cut only at line ends. A line end without a mark of its
    own gets a comma (a breath, not the fake full stop a segment per line would give every line), unless
    its last word cannot end a phrase ("the / same", "To / My Dear Friend")."""
    plan = options.pauses
    spoken = [" ".join(_spoken_sentences(line, options, verse=True)) for line in lines]
    spoken = [line for line in spoken if _SAYABLE.search(line)]
    run_on = _RUN_ON_WORDS.get(language_code(options.language), set())

    def end(line: str) -> str:
        words = line.split()
        if line[-1] in _LINE_END_MARKS or words[-1] in run_on:
            return line
        if len(words) == 1 and words[0].casefold() in _LONE_PREPOSITIONS:
            return line
        return f"{line},"

    def joined(group: list[str]) -> str:
        return finish(" ".join([*map(end, group[:-1]), group[-1]]))

    groups: list[list[str]] = []
    for line in spoken:
        if groups and count_tokens(joined([*groups[-1], line])) <= options.max_tokens:
            groups[-1].append(line)
            continue
        if groups:  # a full group ends, where it can, at a line that ends a sentence or a clause
            group = groups[-1]
            ends = [i for i in range(len(group) - 1) if group[i][-1] in _STRONG_LINE_END]
            if ends and ends[-1] < len(group) - 1:
                carried = group[ends[-1] + 1 :]
                del group[ends[-1] + 1 :]
                groups.append(carried)
                if count_tokens(joined([*carried, line])) <= options.max_tokens:
                    carried.append(line)
                    continue
        groups.append([line])
    segments: list[Segment] = []
    for number, group in enumerate(groups):
        pause = plan.paragraph if number == len(groups) - 1 else plan.verse_line
        text = joined(group)
        if count_tokens(text) <= options.max_tokens:
            segments.append(Segment(text, pause, index))
        else:  # one line alone over the budget: cut like prose
            segments += _speak_sentences([group[-1]], pause, index, "body", count_tokens, options)
    return segments


def _verse_stretches(lines: list[str]) -> list[tuple[list[str], float | None]]:
    """Verse lines cut where a pause marker stands, each stretch with the marker's pause after it (None after
    the last): the stretches are packed as verse, so a line end stays a breath and never a stop. Hamlet's
    "Speak to me: [pause] Cock crows. [pause]" (a stage direction in the line) had every line of the speech
    read as a sentence of its own."""
    stretches: list[tuple[list[str], float | None]] = []
    current: list[str] = []
    for line in lines:
        for text, marker in split_on_markers(line):
            if text.strip():
                current.append(text.strip())
            if marker is not None:
                stretches.append((current, marker))
                current = []
    stretches.append((current, None))
    return stretches


def _block_segments(
    block: Block, index: int, count_tokens: TokenCounter, options: TextOptions
) -> list[Segment]:
    plan = options.pauses
    if block.kind == "verse":
        lines = [line.strip() for line in block.text.split("\n") if line.strip()]
        segments: list[Segment] = []
        stretches = _verse_stretches(lines)
        for stretch, marker in stretches:
            said = _verse_segments(stretch, index, count_tokens, options) if stretch else []
            if marker is None:
                segments += said
            elif said:
                segments += said
                segments[-1].pause_after = marker
            elif segments:
                segments[-1].pause_after += marker  # markers in a row add up
            else:
                segments.append(Segment("", marker, index))  # a leading marker: silence only
        # a marker ends the block (its last stretch is empty): the longer of it and the block's pause
        if segments and not stretches[-1][0]:
            segments[-1].pause_after = max(segments[-1].pause_after, plan.paragraph)
        return segments
    text = word_cue(block.cue, options.language) if block.cue else block.text.strip()
    if block.kind == "placeholder":
        text = text.strip("[]")
    if block.kind == "note" and not re.match(r"(?i)notes?\b|n\.b\.|nota\b|anmerkung\b|noot\b", text):
        # a note read aloud is announced: the main text pauses here
        text = f"{cue_words(options.language).note} {text}"
    pause = {"heading": plan.heading, "list_item": plan.list_item}.get(block.kind, plan.paragraph)
    return _block_text_segments(text, pause, index, count_tokens, options, heading=block.kind == "heading")


def _block_text_segments(
    text: str,
    pause: float,
    index: int,
    count_tokens: TokenCounter,
    options: TextOptions,
    heading: bool = False,
) -> list[Segment]:
    segments: list[Segment] = []
    for piece, piece_pause, at_marker in _runs(text, pause):
        sentences = _spoken_sentences(piece, options, heading)
        spoken = _speak_sentences(sentences, piece_pause, index, "body", count_tokens, options)
        if spoken:
            segments += spoken
        elif at_marker and segments:
            segments[-1].pause_after += piece_pause  # markers in a row add up
        elif at_marker:
            segments.append(Segment("", piece_pause, index))  # a leading marker: silence only, resolved below
    return segments


def _attach_silences(segments: list[Segment]) -> list[Segment]:
    """Silence-only entries (from a marker before any text) and anything with nothing to say (a lone "."
    left by a cut) join the pause of the segment before them: they never reach the model."""
    out: list[Segment] = []
    for segment in segments:
        if _SAYABLE.search(segment.text):
            out.append(segment)
        elif out:
            out[-1].pause_after = max(out[-1].pause_after, segment.pause_after)
    return out


def prepare_chapter(
    chapter: Chapter, count_tokens: TokenCounter, options: TextOptions | None = None
) -> list[Segment]:
    """The chapter's title (if spoken) and blocks as segments within the budget, each with its pause.

    `count_tokens` is the model tokenizer's length function for one prompt; this stage never loads a model.
    """
    options = options or TextOptions()
    plan = options.pauses
    repeated, headings_are_title = title_headings(chapter, options)
    segments: list[Segment] = []
    if options.speak_titles and not chapter.placeholder_title:
        if headings_are_title:
            parts: list[tuple[str, int]] = []
            for i in repeated:  # a heading set twice (h1 and h2 alike: "Eredità", "Eredità") is said once
                text = chapter.blocks[i].text
                if not parts or normalized_words(parts[-1][0], options) != normalized_words(text, options):
                    parts.append((text, i))
        else:
            parts = [(chapter.title, -1 if not repeated else repeated[0])] if chapter.title.strip() else []
        # Each part is normalised on its own (a heading "CHAPTER I." is lowered as a whole), then finished so
        # that "Chapter one" and "Down the Rabbit-Hole" stay two sentences of one title.
        heading = not chapter.letter_title  # a heading's lone "C" is a numeral, a dictionary's its letter
        sentences = [finish(s) for text, _ in parts for s in _spoken_sentences(text, options, heading)]
        if sentences:
            segments += _speak_sentences(sentences, plan.title, parts[0][1], "title", count_tokens, options)
    for index, block in enumerate(chapter.blocks):
        if index in repeated:
            continue
        if block.kind == "scene_break":
            if segments:
                segments[-1].pause_after = max(segments[-1].pause_after, plan.scene_break)
            continue
        segments += _block_segments(block, index, count_tokens, options)
    segments = _attach_silences(segments)
    table = options.replace_characters
    for segment in segments:  # `finish` capitalised the first letter after the table ran: é -> É, É -> E
        if segment.text[:1] in table:
            segment.text = table[segment.text[0]] + segment.text[1:]
    if segments:
        segments[-1].pause_after = max(segments[-1].pause_after, plan.chapter_end)
    return segments
