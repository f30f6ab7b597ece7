"""What was written for a machine, not a reader: web and e-mail addresses, and stray markup."""

from __future__ import annotations

import re

from audiobook_tts.text.normalize.context import NormalizeContext

# ----------------------------------------------------------------------------------------------------
# URLs and e-mail


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|ftp://|www\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]")


def _speak_address(address: str) -> str:
    address = re.sub(r"^(?:https?|ftp)://", "", address)
    spoken = {
        ".": " dot ",
        "/": " slash ",
        "@": " at ",
        "-": " dash ",
        "_": " underscore ",
        ":": " colon ",
        "?": " question mark ",
        "=": " equals ",
        "&": " and ",
        "#": " hash ",
        "~": " tilde ",
        "+": " plus ",
    }
    return re.sub(r"\s+", " ", "".join(spoken.get(ch, ch) for ch in address)).strip()


_ADDRESS_WORDS = {"it": ("punto", "chiocciola"), "fr": ("point", "arobase"), "es": ("punto", "arroba")}


def _short_address(address: str, language: str = "en") -> str:
    """The part a listener can remember: "https://www.example.com/a/b?c" -> "example dot com",
    "jane.doe@example.com" -> "jane dot doe at example dot com"."""
    dot, at = _ADDRESS_WORDS.get(language[:2], ("dot", "at"))
    if "@" in address and "://" not in address:
        name, _, host = address.partition("@")
    else:
        name, host = "", re.sub(r"^(?:(?:https?|ftp)://)?(?:www\.)?", "", address)
        host = re.split(r"[/?#:]", host, maxsplit=1)[0]
    spoken = f" {dot} ".join(part for part in host.split(".") if part)
    return f"{name.replace('.', f' {dot} ')} {at} {spoken}" if name else spoken


def urls_and_emails(text: str, ctx: NormalizeContext) -> str:
    """Web and mail addresses: a short form (default), spoken in full, or dropped (setting `urls`)."""
    if "@" not in text and "www." not in text and "://" not in text:
        return text
    if ctx.urls == "short":
        replace = lambda address: _short_address(address, ctx.language)  # noqa: E731
    else:
        replace = _speak_address if ctx.urls == "speak" else (lambda _address: "")
    text = _URL.sub(lambda m: replace(m[0]), text)
    text = _EMAIL.sub(lambda m: replace(m[0]), text)
    return re.sub(r" {2,}", " ", re.sub(r" +([.,;:!?])", r"\1", text)).strip()


# ----------------------------------------------------------------------------------------------------
# Stray markup

_TEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?")
_NOTE_MARKER = re.compile(r"\[\^[^\]\s]*\]|(?<=[^\W\d_])\[\d{1,3}\](?!\w)")
# a plain text's italics: "_" at a word's start or end, never inside one ("snake_case" is left to symbols)
_EMPHASIS_UNDERSCORE = re.compile(r"(?<!\w)_+(?=[^\s_])|(?<=[^\s_])_+(?!\w)")
# a Pandoc citation, "[@noonan_gratian_1979]", "[see @doe99, pp. 33-35; @smith04]": a reference, not speech
_CITATION = re.compile(r" ?\[[^\[\]]*(?<![\w.])@[A-Za-z_][^\[\]]*\]")
_MARKUP_CHARACTERS = str.maketrans({"{": " ", "}": " ", "`": "", "[": " ", "]": " ", "^": " ", "\\": " "})


def stray_markup(text: str, ctx: NormalizeContext) -> str:
    """Markup that escaped the reader: Pandoc citations ("[@doe99]", dropped), TeX commands (\\newpage),
    "[^1]" and "word[1]" note markers, braces, backticks and square brackets (their words are kept). A
    listener must never hear any of it. Underscores that italicise in a plain text ("_15th October_") go
    first: "_" is a word character, so the numbers beside them were not read as numbers ("fifteen th")."""
    if "_" in text:
        text = _EMPHASIS_UNDERSCORE.sub("", text)
    if not any(ch in text for ch in "\\{}`[]^"):
        return text
    text = _CITATION.sub("", text)
    text = _NOTE_MARKER.sub("", _TEX_COMMAND.sub(" ", text))
    return text.translate(_MARKUP_CHARACTERS)
