"""The model's own text rules (pocket-tts 4.0.1 behaviour): prompt preparation and chunking by tokens.

The model was trained on single sentences that start with a capital and end with sentence punctuation, so
every chunk is normalised the same way before tokenization, and long inputs are cut at sentence-final tokens
and packed greedily into chunks of at most `max_tokens` tokens. These rules are part of the model (they
decide which token ids it sees), so they are reproduced exactly, quirks included: the "two spaces -> one"
fix is a single pass, and the word count behind the frames-after-EOS guess is taken before capitalisation
and punctuation.

One table is ours and is not applied here: `fold_table` says what the characters the tokenizer cannot read
should be read as, for the text stage to apply to a book's segments. The engine itself feeds any text as
the reference does (such a character as the unknown id), so its audio stays the reference's.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from anyascii import anyascii

from audiobook_tts.tts.errors import ModelError

logger = logging.getLogger(__name__)

MAX_TOKENS_PER_CHUNK = 50

SENTENCE_END = ".!?\u2026"  # . ! ? …
WEAK_END = ",;:-\u2013\u2014"  # , ; : - – —
CLOSERS = "\"'\u201d\u2019)]\u00bb"  # " ' ” ’ ) ] »
SHORT_INPUT_WORDS = 5  # prompts with fewer words get the 8-space pad (when the config asks for it)
SHORT_INPUT_PAD = " " * 8

# Deleting quotes turns '"Hi?", she said' into 'Hi?, she said': drop the , ; : after a sentence mark.
_MARK_THEN_WEAK = re.compile(r"([.!?\u2026])\s*[,;:]")


class TokenCoder(Protocol):
    unk_id: int | None  # what a character outside the vocabulary is encoded as

    def encode(self, text: str) -> list[int]: ...
    def decode(self, ids: list[int]) -> str: ...
    def __hash__(self) -> int: ...  # (a tokenizer's boundary ids are cached)


@dataclass(frozen=True)
class TextRules:
    """The per-model text switches of a config (same names as the YAML keys)."""

    pad_with_spaces_for_short_inputs: bool = False
    remove_semicolons: bool = False
    append_terminal_punctuation: bool = True
    capitalize_first_letter: bool = True
    replace_characters: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config) -> TextRules:
        """From a tts.config.Config (or anything with those attributes)."""
        return cls(
            pad_with_spaces_for_short_inputs=config.pad_with_spaces_for_short_inputs,
            remove_semicolons=config.remove_semicolons,
            append_terminal_punctuation=config.append_terminal_punctuation,
            capitalize_first_letter=config.capitalize_first_letter,
            replace_characters=dict(config.replace_characters),
        )


# Characters Unicode does not decompose to a plain letter, and punctuation, with the readable forms that say
# the same, in order of preference. A prime is a figure's label (A′), a foot or an inch, never a quote.
_FOLDS: dict[str, tuple[str, ...]] = {
    "\u2032": ("'",),  # ′
    "\u2033": ('"', "''"),  # ″
    "\u2034": ('"', "''"),  # ‴
    "\u2035": ("'",),  # ‵
    "\u2018": ("'",),  # ‘
    "\u2019": ("'",),  # ’
    "\u201a": ("'",),  # ‚
    "\u201b": ("'",),  # ‛
    "\u02bc": ("'",),  # ʼ (a modifier letter apostrophe)
    "\u2039": ("'",),  # ‹
    "\u203a": ("'",),  # ›
    "\u201c": ('"',),  # “
    "\u201d": ('"',),  # ”
    "\u201e": ('"',),  # „
    "\u201f": ('"',),  # ‟
    "\u00ab": ('"',),  # «
    "\u00bb": ('"',),  # »
    "\u2044": ("/",),  # ⁄ (what NFKD leaves of ½)
    "\u00df": ("ss",),  # ß
    "\u1e9e": ("SS",),  # ẞ
    "\u00e6": ("ae",),  # æ
    "\u00c6": ("Ae",),  # Æ
    "\u0153": ("oe",),  # œ
    "\u0152": ("Oe",),  # Œ
    "\u00f8": ("o",),  # ø
    "\u00d8": ("O",),  # Ø
    "\u0142": ("l",),  # ł
    "\u0141": ("L",),  # Ł
    "\u0111": ("d",),  # đ
    "\u0110": ("D",),  # Đ
    "\u00f0": ("d",),  # ð (Guðrún -> Gudrun)
    "\u00d0": ("D",),  # Ð
    "\u00fe": ("th",),  # þ
    "\u00de": ("Th",),  # Þ
    "\u0131": ("i",),  # ı
    "\u0127": ("h",),  # ħ
    "\u0126": ("H",),  # Ħ
    "\u014b": ("ng",),  # ŋ
    "\u014a": ("Ng",),  # Ŋ
}
# Unreadable punctuation without an entry above, by Unicode category: the nearest ASCII mark (a dash of any
# length is "-"; other punctuation and symbols become a space).
_BY_CATEGORY = {"Pd": "-", "Ps": "(", "Pe": ")", "Pi": '"', "Pf": '"'}


@functools.lru_cache(maxsize=8192)
def _readable(tokenizer: TokenCoder, char: str) -> bool:
    """Does the tokenizer encode `char` without its unknown id?"""
    return tokenizer.unk_id not in tokenizer.encode(char)


@functools.lru_cache(maxsize=4096)
def _fold(tokenizer: TokenCoder, char: str) -> str:
    """A readable stand-in for one unreadable character: a table entry; else for a letter of another script
    its Latin spelling (anyascii: χριστός -> christos, Москва -> Moskva), as a narrator says a quoted Greek
    word (the plan still warns of it: text.scripts); else the letters of its compatibility decomposition
    without accents (â -> a, É -> E, ﬁ -> fi); else by category (a space to " ", a dash to "-", a bracket or
    quote to its ASCII form, other punctuation and symbols to a space, controls and lone accents to
    nothing)."""

    def readable(form: str) -> bool:
        return all(_readable(tokenizer, c) for c in form)

    for form in _FOLDS.get(char, ()):
        if readable(form):
            return form
    if char.isalpha() and not unicodedata.name(char, "LATIN").startswith("LATIN"):
        latin = anyascii(char)  # whole: the rough breathing of Greek ᾍ is an h
        if latin and readable(latin):
            return latin
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if bare and bare != char:
        folded = "".join(c if _readable(tokenizer, c) else _fold(tokenizer, c) for c in bare)
        if folded.strip() or not bare.strip():
            return folded
    category = unicodedata.category(char)
    if char.isspace():
        return " "
    if category[0] in "CM":  # controls, format characters (joiners, marks), combining marks
        return ""
    if category == "Nd" and readable(digit := str(unicodedata.decimal(char))):
        return digit
    if category[0] in "PS":
        mark = _BY_CATEGORY.get(category, " ")
        return mark if readable(mark) else " "
    return char


def fold_table(characters: Iterable[str], tokenizer: TokenCoder, rules: TextRules) -> dict[str, str]:
    """What those of `characters` the tokenizer cannot read are to be read as (see `_fold`), as a
    replacement table; characters of the config's own `replace_characters` are left to it.

    The vocabulary decides, so each model keeps what it knows (a French vocabulary its é and â) and one that
    lacks â reads "Macâe" as "Macae" rather than an unknown piece. The text stage applies the table (handed in
    like the config's `replace_characters`, as plain data), so a segment's text, its key and what `inspect`
    shows are what the model reads."""
    if tokenizer.unk_id is None:
        return {}
    table = {
        c: _fold(tokenizer, c)
        for c in set(characters)
        if c not in rules.replace_characters and not _readable(tokenizer, c)
    }
    return {c: folded for c, folded in table.items() if folded != c}


def prepare_prompt(text: str, rules: TextRules) -> tuple[str, int]:
    """Normalise one prompt -> (text the model sees, frames-after-EOS guess: 3 for <= 4 words, else 1)."""
    text = text.strip()
    if rules.replace_characters:
        table: dict[str, str | int | None] = dict(rules.replace_characters)  # the type str.maketrans takes
        text = " ".join(text.translate(str.maketrans(table)).split())
        text = _MARK_THEN_WEAK.sub(r"\1", text)
    if not text:
        raise ModelError("cannot speak an empty text; give the model at least one word")
    text = text.replace("\n", " ").replace("\r", " ").replace("  ", " ")
    if rules.remove_semicolons:
        text = text.replace(";", ",")
    guess = 3 if len(text.split()) <= 4 else 1
    if rules.capitalize_first_letter and not text[0].isupper():
        text = text[0].upper() + text[1:]
    if rules.append_terminal_punctuation:
        text = ensure_terminal_punctuation(text)
    if rules.pad_with_spaces_for_short_inputs and len(text.split()) < SHORT_INPUT_WORDS:
        text = SHORT_INPUT_PAD + text
    return text, guess


def ensure_terminal_punctuation(text: str) -> str:
    """End with . ! ? or …, looking through closing quotes/brackets; a trailing , ; : or dash becomes '.'.

    Otherwise '.' goes after the closers, so that the splitter sees a bare period token at the very end.
    """
    core = text.rstrip(CLOSERS + " ")
    closers = text[len(core) :].strip()
    if not core or core[-1] in SENTENCE_END:
        return text
    if core[-1] in WEAK_END:
        return core.rstrip(WEAK_END + " ") + "." + closers
    return text + "."


@functools.lru_cache(maxsize=16)  # asked for by every chunking and token count; bounded: a server loads many
def boundary_ids(tokenizer: TokenCoder, marks: str) -> frozenset[int]:
    """Ids of tokenizing `marks`, minus the first (the word-start piece put before any text)."""
    return frozenset(tokenizer.encode(marks)[1:])


def _starts_after_decimal_point(ids: list[int], start: int, tokenizer: TokenCoder) -> bool:
    """True when ids[start:] begins with a digit right after '<digit>.', i.e. the '.' is inside a number."""
    before = tokenizer.decode(ids[:start])
    after = tokenizer.decode(ids[start:])
    return len(before) >= 2 and before[-1] == "." and before[-2].isdigit() and after[:1].isdigit()


def _cut_points(ids: list[int], boundaries: frozenset[int], tokenizer: TokenCoder | None = None) -> list[int]:
    """[0, ..., len(ids)]: a cut before each first non-boundary token that follows boundary tokens.

    With `tokenizer`, a cut that would split a decimal number is skipped.
    """
    cuts = [0]
    after_boundary = False
    for i, token in enumerate(ids):
        if token in boundaries:
            after_boundary = True
            continue
        if after_boundary and not (tokenizer is not None and _starts_after_decimal_point(ids, i, tokenizer)):
            cuts.append(i)
        after_boundary = False
    cuts.append(len(ids))
    return cuts


def _segments(ids: list[int], cuts: list[int], tokenizer: TokenCoder) -> list[tuple[int, str]]:
    pairs = zip(cuts[:-1], cuts[1:], strict=True)
    return [(end - start, tokenizer.decode(ids[start:end])) for start, end in pairs]


def split_into_chunks(
    text: str, tokenizer: TokenCoder, rules: TextRules, max_tokens: int = MAX_TOKENS_PER_CHUNK
) -> list[str]:
    """Cut a text into chunks of whole sentences of at most `max_tokens` tokens where possible.

    Each chunk is later prepared again with `prepare_prompt` before it is tokenized for the model.
    """
    prepared, _ = prepare_prompt(text, rules)
    _, sentences = _sentences(prepared, tokenizer)

    # An overlong sentence is cut at , ; : instead, when that gives more than one piece.
    clause_marks = boundary_ids(tokenizer, ",;:")
    segments: list[tuple[int, str]] = []
    for count, sentence in sentences:
        if count > max_tokens:
            sub_ids = tokenizer.encode(sentence.strip())
            clauses = _segments(sub_ids, _cut_points(sub_ids, clause_marks), tokenizer)
            if len(clauses) > 1:
                segments.extend(clauses)
                continue
        segments.append((count, sentence))

    # Greedy packing; the counts are those of the segment tokenizations, not of the joined text.
    chunks: list[str] = []
    current, current_count = "", 0
    for count, segment in segments:
        if current == "":
            current, current_count = segment, count
        elif current_count + count > max_tokens:
            chunks.append(current.strip())
            current, current_count = segment, count
        else:
            current, current_count = current + " " + segment, current_count + count
    if current != "":
        chunks.append(current.strip())

    for chunk in chunks:
        n = len(tokenizer.encode(chunk))
        if n > max_tokens:
            logger.warning("chunk of %d tokens exceeds %d, words may be skipped: %.50r", n, max_tokens, chunk)
    return chunks


def _sentences(prepared: str, tokenizer: TokenCoder) -> tuple[list[int], list[tuple[int, str]]]:
    """A prepared text's tokens, and its sentences as (token count, text) cut from them."""
    ids = tokenizer.encode(prepared.strip())  # the short-input pad is for chunks, not the text
    return ids, _segments(ids, _cut_points(ids, boundary_ids(tokenizer, ".!...?"), tokenizer), tokenizer)


def fed_token_count(text: str, tokenizer: TokenCoder, rules: TextRules) -> int:
    """Tokens the model is fed for `text` if it keeps it as one chunk; what the text stage's token budget
    measures. `split_into_chunks` cuts the prepared text at sentence ends and joins the pieces again, and
    the joined text, prepared again, can tokenize to a token or two more than the text did (49-50 against
    51-52 for 24 of Alice's 1775 segments, with the tests' 4000-piece tokenizer). The text's own prepared
    count is the larger when that is more: the chunker cuts by it."""
    try:
        prepared, _ = prepare_prompt(text, rules)
    except ModelError:  # nothing left to speak (a lone dash or quote): a piece the text stage joins to others
        return len(tokenizer.encode(text))
    ids, sentences = _sentences(prepared, tokenizer)
    chunk, _ = prepare_prompt(" ".join(sentence for _, sentence in sentences).strip(), rules)
    if chunk == prepared.strip():  # the usual case: the same text, the same tokens
        return len(ids)
    return max(len(ids), len(tokenizer.encode(chunk)))


def frames_after_eos(guess: int, requested: int | None = None, recommended: int | None = None) -> int:
    """Frames generated after EOS: the caller's value, else the config's, else the length guess + 2."""
    if requested is not None:
        return requested
    if recommended is not None:
        return recommended
    return guess + 2
