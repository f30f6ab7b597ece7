"""What a rule may know besides its sentence (`NormalizeContext`), the language it is read in, and the user's
lexicon, which every rule after it reads already respelled."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Rule = Callable[[str, "NormalizeContext"], str]


@dataclass
class NormalizeContext:
    """What a rule may know besides the sentence itself."""

    urls: Literal["short", "speak", "drop"] = "short"
    lexicon: dict[str, str] = field(default_factory=dict)
    replace_characters: dict[str, str] = field(default_factory=dict)
    heading: bool = False  # from a heading block (a leading roman numeral is a number there)
    verse: bool = False  # one line of verse (a dash at its end is a pause, not a speech broken off)
    language: str = "en"  # the English rules run only for English; other languages get the neutral ones


_LANGUAGE_NAMES = {
    "english": "en",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "italian": "it",
    "italiano": "it",
    "german": "de",
    "deutsch": "de",
    "spanish": "es",
    "español": "es",
    "portuguese": "pt",
    "português": "pt",
    "chinese": "zh",
}


def language_code(language: str) -> str:
    """ "en-GB" -> "en", "Italian" (as Gutenberg headers write it) -> "it"; unknown names pass through."""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return _LANGUAGE_NAMES.get(code, code)


def _language(ctx: NormalizeContext) -> str:
    return language_code(ctx.language)


# ----------------------------------------------------------------------------------------------------
# Lexicon


def apply_lexicon(text: str, lexicon: dict[str, str]) -> str:
    """Whole-word respellings. A lower-case key matches any case and keeps a leading capital; a key with
    capitals matches exactly (so "US" -> "U S" leaves the pronoun "us" alone)."""
    for word, respelling in lexicon.items():
        if word != word.lower():
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", respelling, text)
            continue

        def keep_case(match: re.Match[str], respelling: str = respelling) -> str:
            return respelling[:1].upper() + respelling[1:] if match[0][:1].isupper() else respelling

        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", keep_case, text, flags=re.IGNORECASE)
    return text


def lexicon(text: str, ctx: NormalizeContext) -> str:
    """The user's pronunciation lexicon, applied before every other word rule."""
    return apply_lexicon(text, ctx.lexicon) if ctx.lexicon else text
