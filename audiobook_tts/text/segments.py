"""Segments: what the model speaks in one call, each within its token budget, each followed by a pause.

The model is trained on single sentences and is given at most `max_tokens` tokens per call, so a run of
sentences is packed greedily into segments that fit, and a sentence that alone does not fit is cut where a
speaker would breathe: never inside parentheses, brackets or quotes (when there is any other choice), never
inside a spelled-out number, at a clause boundary (; then : then a dash then ,) as near the middle as
possible when two pieces will do, else at the strongest boundaries first; only as a last resort between
words, never inside one. Very short utterances (fewer than three words) come out garbled, so they are
merged with a neighbour in the same run where the budget allows; a run never crosses a block (paragraph,
verse, heading) or an explicit pause marker, so merging never loses a pause the book asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

TokenCounter = Callable[[str], int]

MIN_WORDS = 3
SENTENCE_END = ".!?…"
WEAK_END = ",;:-–—"
CLOSERS = "\"'”’)]»"
# Closing quotes the model's prompt rules do not look through (German »...«, „...“, ‹...›): a segment ending
# in one gets a stop after it ("Möchtest du's?«.", 1,499 segments of Effi Briest), so it ends without it
UNSEEN_CLOSERS = "«›“‘"

# Clause boundaries from strongest to weakest; the cut goes after the mark.
_CLAUSE_BOUNDARIES = [
    re.compile(r"(?<=;)\s+"),
    re.compile(r"(?<=:)\s+"),
    # after a dash set off by spaces (the normaliser spaces em/en dashes), or after the quote it breaks off:
    # "tell him — ” | “Well" (a cut before the ” left it to open the next segment); never after a word's
    # letter and its dash, a name left out: "lodged in S — Place" was cut "S." | "Place" (Crime and
    # Punishment), where "Eleven A M — The attendant" (Dracula) is a dateline and its dash
    re.compile(r"(?<=\s[—–-])(?<![a-z]\s[A-Z]\s[—–-])\s+(?![”’»)\]]|\"(?:\s|$))|(?<=\s[—–-]\s[”’»)\]\"])\s+"),
    re.compile(r"(?<=,)\s+"),
]


@dataclass
class Segment:
    """One call to the model: `text` is exactly what it is asked to say; then `pause_after` s of silence."""

    text: str
    pause_after: float
    block_index: int  # index of the chapter block it comes from; -1 for the chapter's title from the TOC
    kind: Literal["title", "body"] = "body"


def finish(text: str) -> str:
    """Start with a capital and end with sentence punctuation, as the model's own prompt preparation does
    (the capital after any opening marks: "¿Qué", "‘What").

    Doing it here makes the token count exact and the engine's preparation a no-op.
    """
    text = text.strip().rstrip(UNSEEN_CLOSERS + " ")
    if not text:
        return text
    # the first letter, after "¿", "— " or "‘" ("¿qué", 185 in El sombrero)
    start = next((index for index, ch in enumerate(text) if ch.isalnum()), len(text))
    text = text[:start] + text[start : start + 1].upper() + text[start + 1 :]
    core = text.rstrip(CLOSERS + " ")
    closers = text[len(core) :].replace(" ", "")
    if not core or core[-1] in SENTENCE_END:
        return text
    if core[-1] in WEAK_END:
        core = core.rstrip(WEAK_END + " ")
        # "civilement. —" and "to him?” —" end once
        return core + ("" if core.rstrip(CLOSERS)[-1:] in SENTENCE_END else ".") + closers
    return text + "."


def word_count(text: str) -> int:
    return len(text.split())


def estimated_seconds(segments: list[Segment], words_per_minute: float = 155.0) -> float:
    """Listening time: speech at an audiobook narrator's pace plus every pause."""
    words = sum(word_count(segment.text) for segment in segments)
    return words * 60.0 / words_per_minute + sum(segment.pause_after for segment in segments)


_PAIRS = {"(": ")", "[": "]", "“": "”", "«": "»", "{": "}"}


def sheltered(text: str) -> list[bool]:
    """Per character: inside a matched pair of brackets or quotes (a cut there breaks the aside in two).

    Only pairs that close count: a quotation that runs on into the next paragraph shelters nothing."""
    inside = [False] * (len(text) + 1)
    stack: list[tuple[str, int]] = []
    straight: int | None = None
    for position, ch in enumerate(text):
        if ch in _PAIRS:
            stack.append((_PAIRS[ch], position))
        elif ch == '"':
            if straight is None:
                straight = position
            else:
                inside[straight + 1 : position] = [True] * (position - straight - 1)
                straight = None
        else:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == ch:
                    start = stack[depth][1]
                    inside[start + 1 : position] = [True] * (position - start - 1)
                    del stack[depth:]
                    break
    return inside


def _clause_cuts(sentence: str) -> list[tuple[int, int, bool]]:
    """(character offset, strength rank 0-3, inside brackets or quotes?) of every clause boundary."""
    cuts = [
        (match.start(), rank)
        for rank, boundary in enumerate(_CLAUSE_BOUNDARIES)
        for match in boundary.finditer(sentence)
    ]
    inside = sheltered(sentence) if cuts else []
    return sorted((offset, rank, inside[offset]) for offset, rank in cuts)


def _split_at(sentence: str, offsets: list[int]) -> list[str]:
    bounds = [0, *offsets, len(sentence)]
    return [piece for a, b in zip(bounds, bounds[1:], strict=False) if (piece := sentence[a:b].strip())]


_TWO_PIECE_LIMIT = 2000  # characters: longer sentences take the cheaper strongest-first path


def _two_pieces(sentence: str, cuts: list[tuple[int, int]], fits: Callable[[str], bool]) -> list[str] | None:
    """The best single clause cut that leaves two fitting pieces: near the middle, stronger marks preferred
    (a semicolon may sit a sixth of the sentence further from the middle than a comma)."""
    best = None
    for offset, rank in cuts:
        head, tail = sentence[:offset].strip(), sentence[offset:].strip()
        if word_count(head) < MIN_WORDS or word_count(tail) < MIN_WORDS:
            continue
        score = abs(offset - len(sentence) / 2) / len(sentence) + rank / 18
        if _is_number_word(head.rsplit(None, 1)[-1]) and _is_number_word(tail.split(None, 1)[0]):
            score += 0.5  # "in 1899, | 1900 and 1903": a list of numbers is one breath when it can be
        if (best is None or score < best[0]) and fits(head) and fits(tail):
            best = (score, [head, tail])
    return best[1] if best else None


def split_long_sentence(
    sentence: str, fits: Callable[[str], bool], level: int = 0, language: str = "en"
) -> list[str]:
    """Cut a sentence into pieces that each fit, where a speaker would breathe (see the module docstring);
    `language` chooses the words a phrase starts with, for a cut between words."""
    if fits(sentence):
        return [sentence]
    every_cut = _clause_cuts(sentence)
    for allow_sheltered in (False, True):
        cuts = [(offset, rank) for offset, rank, inside in every_cut if allow_sheltered or not inside]
        if not cuts:
            continue
        if len(sentence) <= _TWO_PIECE_LIMIT:
            halves = _two_pieces(sentence, cuts, fits)
            if halves:
                return halves
        for rank in range(level, len(_CLAUSE_BOUNDARIES)):
            pieces = _split_at(sentence, [offset for offset, r in cuts if r == rank])
            if len(pieces) > 1:
                parts = [
                    part for piece in pieces for part in split_long_sentence(piece, fits, rank + 1, language)
                ]
                return balanced_groups(parts, fits)
    return _split_between_words(sentence, fits, language)


def balanced_groups(parts: list[str], fits: Callable[[str], bool], max_parts: int = 24) -> list[str]:
    """As few groups of neighbouring parts as greedy packing needs, but cut so the longest is shortest.

    Greedy packing of a long sentence's clauses leaves a stub at the end ("..., leagues."); an even cut
    reads better. Lengths are compared in characters; every group is checked with `fits`.
    """
    greedy = pack(parts, fits)
    if len(greedy) == 1 or len(parts) > max_parts:
        return greedy
    count = len(parts)
    cost: dict[tuple[int, int], int] = {}  # (a, b) -> length of parts[a:b] joined, for the groups that fit
    for a in range(count):
        for b in range(a + 1, count + 1):
            text = " ".join(parts[a:b])
            if not fits(text):
                break  # longer groups from `a` do not fit either
            cost[a, b] = len(text)
    # best[g][i]: (longest group, cut points) for parts[:i] in g groups.
    best: list[dict[int, tuple[int, list[int]]]] = [{0: (0, [])}]
    for _ in range(len(greedy)):
        layer: dict[int, tuple[int, list[int]]] = {}
        for start, (longest, cuts) in best[-1].items():
            for end in range(start + 1, count + 1):
                if (start, end) not in cost:
                    break
                candidate = (max(longest, cost[start, end]), [*cuts, end])
                if end not in layer or candidate[0] < layer[end][0]:
                    layer[end] = candidate
        best.append(layer)
    if count not in best[-1]:
        return greedy
    cuts = [0, *best[-1][count][1]]
    return [" ".join(parts[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]


# A cut between words sounds least broken just before one of these: a new phrase starts there (conjunctions,
# prepositions and their contractions, relative pronouns).
PHRASE_STARTS = {
    language: set(words.split())
    for language, words in {
        "en": """and or but nor yet so for because although though while whereas if unless until since as
            when whenever where wherever which who whom whose than to from in into on onto upon of
            with without within by at about through throughout between among against over under after
            before during towards toward like near beyond""",
        "fr": """et ou mais donc car ni que qui dont où quand comme si lorsque puisque parce pour par sans
            avec dans sur sous chez vers entre pendant depuis avant après contre selon de à en""",
        "de": """und oder aber denn sondern doch dass weil wenn als ob obwohl während damit bis seit
            nachdem bevor wie wo welcher welche welches mit ohne für gegen durch um über unter vor
            hinter neben zwischen bei nach von zu aus in an auf im am beim zum zur vom ins ans""",
        "it": """e ed o ma però perché poiché quando se mentre come dove che cui quale quali benché sebbene
            finché per con senza tra fra su sotto sopra verso dopo prima contro di a ad da in""",
        "es": """y e o u pero sino porque pues aunque cuando si mientras como donde que quien cuyo cual
            para por con sin entre sobre bajo hacia hasta desde tras contra según de a en""",
        "pt": """e ou mas porém porque pois embora quando se enquanto como onde que quem cujo qual para por
            com sem entre sobre sob até desde contra segundo de a em""",
        "nl": """en of maar want dus omdat hoewel terwijl wanneer als dat die wie wat waar met zonder voor
            door tegen over onder na bij naar van tot uit in op aan""",
    }.items()
}


NUMBER_WORDS = set(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million
billion trillion point""".split()
)


def _is_number_word(word: str) -> bool:
    parts = word.lower().strip(".,;:!?\"'“”‘’()").split("-")
    return bool(parts[0]) and all(part in NUMBER_WORDS for part in parts)


def _in_number(words: list[str], index: int) -> bool:
    """words[index] is part of a spelled-out number ("and" only between two number words)."""
    if words[index].lower() == "and":
        neighbours = words[index - 1 : index + 2 : 2] if 0 < index < len(words) - 1 else []
        return len(neighbours) == 2 and all(_is_number_word(word) for word in neighbours)
    return _is_number_word(words[index])


def _inside_number(words: list[str], index: int) -> bool:
    """A cut before words[index] would split a spelled-out number ("sixty-five thousand | five hundred")."""
    return (
        _in_number(words, index - 1)
        and _in_number(words, index)
        and not words[index - 1].endswith((",", ".", ";", ":"))
    )


def _inside_range(words: list[str], index: int) -> bool:
    """A cut before words[index] would split a range of spelled-out numbers at its "to" ("pages four
    hundred and thirty-seven | to four hundred and thirty-eight")."""
    to = next((i for i in (index, index - 1) if 0 < i < len(words) - 1 and words[i].lower() == "to"), None)
    return to is not None and _is_number_word(words[to - 1]) and _is_number_word(words[to + 1])


_BRACKET = re.compile("[][()“”«»]")


def _bracket_depth(words: list[str], start: int, stop: int) -> list[int]:
    """Open brackets before each of words[start:stop] (counted from `start`): a cut inside one is a last
    resort."""
    window = words[start:stop]
    if not _BRACKET.search(" ".join(window)):
        return [0] * len(window)
    depths, depth = [], 0
    for word in window:
        depths.append(depth)
        depth = max(0, depth + sum(word.count(o) for o in "([“«") - sum(word.count(c) for c in ")]”»"))
    return depths


def _bad_cut(words: list[str], start: int, cut: int) -> bool:
    """A cut inside a spelled-out number or inside brackets."""
    return _inside_number(words, start + cut) or _bracket_depth(words, start, start + cut + 1)[-1] > 0


def _best_cut(words: list[str], start: int, low: int, high: int, target: float, language: str) -> int:
    """The cut (words after `start`) in [low, high] nearest `target`: never inside a spelled-out number or
    brackets when there is another, nor at the "to" of a range of numbers, preferring one before a
    phrase-starting word of `language`, and of those one that leaves no such word hanging at its end ("zur
    Ausschweifung | und von", not "und | von")."""
    depths = _bracket_depth(words, start, start + high + 1)
    phrase_starts = PHRASE_STARTS.get(language, PHRASE_STARTS["en"])

    def starts_phrase(word: str) -> bool:
        return word.lower().strip("\"'“‘(«¿¡") in phrase_starts

    return min(
        range(low, high + 1),
        key=lambda i: (
            _inside_number(words, start + i),
            depths[i] > 0,
            _inside_range(words, start + i),
            not starts_phrase(words[start + i]),
            starts_phrase(words[start + i - 1]),
            abs(i - target),
        ),
    )


def _largest_fitting_prefix(words: list[str], start: int, fits: Callable[[str], bool]) -> int:
    """How many words from `start` fit (at least 1: a single word over budget is kept whole, never cut).

    Galloping search: the window doubles until it no longer fits, then bisects, so the cost is proportional
    to the piece found, never to the words left (a megabyte without punctuation stays linear).
    """
    available = len(words) - start
    low, high = 1, 2
    while high <= available and fits(" ".join(words[start : start + high])):
        low, high = high, high * 2
    high = min(high - 1, available)  # `high` words did not fit (or are more than there are)
    while low < high:  # fits is monotone in the number of words
        middle = (low + high + 1) // 2
        if fits(" ".join(words[start : start + middle])):
            low = middle
        else:
            high = middle - 1
    return low


def _fewest_leading_words_to_drop(words: list[str], start: int, longest: int, fits: Callable[[str], bool]):
    """The smallest i <= longest such that words[start + i:] fits, or None. Only tried when the rest is short
    enough to be two pieces (at most twice the longest fitting piece), so each try costs a bounded join."""
    if len(words) - start > 2 * longest + MIN_WORDS or not fits(" ".join(words[start + longest :])):
        return None
    low, high = 1, longest
    while low < high:  # dropping more words only helps the rest fit
        middle = (low + high) // 2
        if fits(" ".join(words[start + middle :])):
            high = middle
        else:
            low = middle + 1
    return low


def _split_between_words(text: str, fits: Callable[[str], bool], language: str) -> list[str]:
    """Last resort for a clause over budget: cut between words, never inside one, at a phrase start if one is
    near, into pieces of at least MIN_WORDS words where possible. Linear in the length of `text`."""
    words = text.split()
    pieces: list[str] = []
    start = 0
    while start < len(words):
        remaining = len(words) - start
        longest = _largest_fitting_prefix(words, start, fits)
        if longest >= remaining:
            pieces.append(" ".join(words[start:]))
            break
        rest_fits_from = _fewest_leading_words_to_drop(words, start, longest, fits)
        # more pieces follow: fill this one, cutting at a phrase start in its last third
        ranges: list[tuple[int, int, float]] = [(max(1, longest * 2 // 3), longest, longest)]
        if rest_fits_from is not None:  # two pieces will do: cut as evenly as the budget allows
            ranges.insert(0, (rest_fits_from, longest, remaining / 2))
        for low, high, target in ranges:
            if remaining >= 2 * MIN_WORDS:  # keep both sides from being garbled fragments
                low = max(low, min(MIN_WORDS, high))
                high = min(high, max(low, remaining - MIN_WORDS))
            cut = _best_cut(words, start, low, high, target, language)
            if not _bad_cut(words, start, cut):
                break  # else three pieces cut well beat two cut inside a number or brackets
        pieces.append(" ".join(words[start : start + cut]))
        start += cut
    return pieces


def pack(units: list[str], fits: Callable[[str], bool]) -> list[str]:
    """Join neighbouring units greedily while the result fits, then rescue a too-short unit at either end."""
    groups: list[list[str]] = []
    for unit in units:
        if groups and fits(" ".join([*groups[-1], unit])):
            groups[-1].append(unit)
        else:
            groups.append([unit])
    # A short group merges into a neighbour when the pair fits; else it takes the neighbour's nearest unit.
    index = 0
    while index < len(groups):
        group = groups[index]
        if word_count(" ".join(group)) >= MIN_WORDS or len(groups) == 1:
            index += 1
            continue
        if index > 0 and fits(" ".join(groups[index - 1] + group)):
            groups[index - 1].extend(group)
            del groups[index]
            continue
        if index + 1 < len(groups) and fits(" ".join(group + groups[index + 1])):
            groups[index + 1][:0] = group
            del groups[index]
            continue
        if index > 0 and len(groups[index - 1]) > 1 and fits(" ".join([groups[index - 1][-1], *group])):
            group.insert(0, groups[index - 1].pop())
        index += 1
    return [" ".join(group) for group in groups]


def budget_run(
    sentences: list[str], count_tokens: TokenCounter, max_tokens: int, language: str = "en"
) -> list[tuple[str, bool]]:
    """Pack one run of normalised sentences (in `language`) into model calls: [(finished text, ends a
    sentence?), ...]."""

    counts: dict[str, int] = {}  # the same joins are tried more than once while packing

    def fits(text: str) -> bool:
        if text not in counts:
            counts[text] = count_tokens(finish(text))
        return counts[text] <= max_tokens

    units: list[str] = []
    ends_sentence: set[int] = set()  # unit indices that end a sentence (the others end a clause)
    for sentence in sentences:
        units.extend(split_long_sentence(sentence, fits, language=language))
        ends_sentence.add(len(units) - 1)
    texts = pack(units, fits)
    out: list[tuple[str, bool]] = []
    consumed = 0
    for text in texts:
        # Find which unit this packed text ends with (units are joined by single spaces in order).
        joined = ""
        while consumed < len(units) and joined != text:
            joined = f"{joined} {units[consumed]}".strip()
            consumed += 1
        out.append((finish(text), consumed - 1 in ends_sentence))
    return out
