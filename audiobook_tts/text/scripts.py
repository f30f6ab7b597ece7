"""Which writing systems a chapter uses, and which of them the chosen model cannot read.

Pocket TTS models read the Latin alphabet (English, French, German, Italian, Spanish, Portuguese): text in
Chinese, Devanagari, Cyrillic... would be sent to the model as letters it never learnt and come out as noise.
`unreadable_text` finds such text so `inspect` and `render` can warn with the chapter and a count, instead of
sending it silently.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from audiobook_tts.ingest.book import Chapter

# The scripts a model of each language reads; every language we ship reads Latin letters only.
READABLE_SCRIPTS = {"LATIN"}
# how a script is named to the user
_SCRIPT_ALIASES = {"CJK": "CJK (Chinese/Japanese)", "HIRAGANA": "CJK (Chinese/Japanese)"}


@cache
def script_of(character: str) -> str | None:
    """A letter's writing system, from its Unicode name ("LATIN", "CJK", "DEVANAGARI"); None otherwise.

    A letter whose name gives no script is taken as the letter NFKC makes it: Portuguese's "1º" and "2ª"
    (MASCULINE and FEMININE ORDINAL INDICATOR, "o" and "a") were reported as "1 letter in Masculine script,
    which the model cannot read" (Dom Casmurro, Papéis avulsos), and so was "ℓ" (SCRIPT SMALL L)."""
    if not character.isalpha():
        return None
    compatible = unicodedata.normalize("NFKC", character)
    if compatible != character and len(compatible) == 1:
        return script_of(compatible)
    name = unicodedata.name(character, "")
    return name.split(" ", 1)[0] if name else None


@dataclass(frozen=True)
class UnreadableText:
    """Letters of one script the model cannot read, in one chapter (`chapter` counts from 1, as inspect)."""

    chapter: int
    title: str
    script: str
    letters: int
    spelled: bool = False  # every one of them is read in a Latin spelling (the model's fold table)

    @property
    def script_name(self) -> str:
        return _SCRIPT_ALIASES.get(self.script, self.script.title())

    def message(self) -> str:
        return (
            f"chapter {self.chapter} ({self.title}): {self.letters:,} letter{'s' * (self.letters > 1)} in "
            f"{self.script_name} script, {cannot_read(self.spelled)}"
        )


def cannot_read(spelled: bool) -> str:
    return "which the model cannot read" + (": it reads them spelled in Latin letters" if spelled else "")


def unreadable_text(
    chapters: list[Chapter],
    readable: set[str] = READABLE_SCRIPTS,
    minimum: int = 1,
    spelled: Collection[str] = (),
) -> list[UnreadableText]:
    """Per included chapter and script, the letters (at least `minimum`) in a script outside `readable`;
    `spelled` are the characters the text stage replaces with a Latin spelling."""
    found: list[UnreadableText] = []
    for number, chapter in enumerate(chapters, start=1):
        if not chapter.included:
            continue
        counts: Counter[str] = Counter()
        unspelled: set[str] = set()  # the scripts with a letter left as it is
        for text in [chapter.title, *(block.text for block in chapter.blocks)]:
            if text.isascii():
                continue
            for ch in text:
                if not ch.isascii() and (script := script_of(ch)):
                    counts[script] += 1
                    if ch not in spelled:
                        unspelled.add(script)
        for script, letters in sorted(counts.items()):
            if script not in readable and letters >= minimum:
                found.append(UnreadableText(number, chapter.title, script, letters, script not in unspelled))
    return found
