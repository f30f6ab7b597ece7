"""A play set out in plain text, as Gutenberg's are: each speech opens with its speaker in capitals on a line
of its own ("NORA.", "MRS LINDE."), and stage directions stand in square brackets inside the speeches.

A listener should hear a direction as such, apart from the speech, and the persons' names as names.
"""

from __future__ import annotations

import re

# a speaker in capitals on the first line of a speech: "NORA.", "MRS LINDE.", "THE CHILDREN."
_SPEAKER = re.compile(r"([A-Z][A-Z'’ -]*[A-Z])\.")
_MIN_SPEECHES = 20  # fewer speeches so opened make no play: a letter signed "JOHN." is none
# a direction holds a letter ("[1]" is a note) and is no pause marker of ours
_DIRECTION = re.compile(r"\[(?!pause\b)([^\[\]]*[^\W\d_][^\[\]]*)\]\.?")


def speakers(paragraphs: list[str]) -> list[str]:
    """The names that open the speeches of a play, longest first ("MRS LINDE" before "RANK"); none when
    the text is no play."""
    names: list[str] = []
    for paragraph in paragraphs:
        first, _, rest = paragraph.strip().partition("\n")
        # a speech follows in lower case, not more capitals (a contents list's "ACT I.\nACT II.")
        if re.search(r"[a-z]", rest) and (speaker := _SPEAKER.fullmatch(first.strip())):
            names.append(speaker[1])
    if len(names) < _MIN_SPEECHES:
        return []
    return sorted(set(names), key=len, reverse=True)


def _direction(match: re.Match[str]) -> str:
    said = match[1].strip()
    said = said[:1].upper() + said[1:]
    return f" [pause] {said if said[-1] in '.!?' else said + '.'} [pause] "


def as_play(text: str, names: list[str]) -> str:
    """A speech of the play as it is to be heard: a stage direction its own sentence between pauses, and a
    person named in capitals named as a name. A Doll's House (Gutenberg 2542) had "HELMER. [calls out from
    his room]. Is that my little lark" heard as one sentence, "Helmer. calls out from his room. Is that";
    now "Helmer. | Calls out from his room. | Is that". "[To HELMER.]" was heard "To helmer" (the text stage
    lowers a long word in capitals); now "To Helmer"."""
    if not names:
        return text
    named = rf"\b({'|'.join(map(re.escape, names))})(['’]S)?\b"  # "HELMER’S room": "Helmer’s"
    text = re.sub(named, lambda m: m[1].title() + (m[2] or "").lower(), text)
    if "[" in text:
        text = re.sub(r" *\n *", "\n", re.sub(r" {2,}", " ", _DIRECTION.sub(_direction, text))).strip(" ")
    return text
