"""Money: "$3.50", "£20", "$1.2 million", and pounds, shillings and pence as British books wrote them before
1971 ("£12 10s. 6d.", "40s.", "6½d.")."""

from __future__ import annotations

import re
from decimal import Decimal

from audiobook_tts.text.normalize.context import NormalizeContext
from audiobook_tts.text.normalize.dates_and_times import _MONTHS
from audiobook_tts.text.normalize.numbers import (
    _NUMBER,
    FRACTION_SLASH,
    _read_number,
    cardinal,
    fraction_said,
    ordinal,
)

_SCALES = r"thousand|million|billion|trillion"
_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "sen", "sen"),
    "₹": ("rupee", "rupees", "paisa", "paise"),
}


def _decimal(written: str) -> Decimal:
    return Decimal(written.replace(",", ""))


def _coins(count: int, one: str, many: str) -> str:
    """A count of a currency's unit in words: "one pound", "ten shillings", "six pence"."""
    return f"{cardinal(count)} {one if count == 1 else many}"


def money(text: str, ctx: NormalizeContext) -> str:
    """$3.50 -> three dollars fifty cents; £20 -> twenty pounds;
    $1.2 million -> one point two million dollars."""

    def spoken(match: re.Match[str]) -> str:
        one, many, cent, cents = _CURRENCIES[match[1]]
        amount, scale = match[2], match[3]
        if scale:
            return f"{_read_number(amount)} {scale} {many}"
        value = _decimal(amount)
        whole, fraction = int(value), int((value - int(value)) * 100)
        parts = []
        if whole or not fraction:
            parts.append(_coins(whole, one, many))
        if fraction:
            parts.append(_coins(fraction, cent, cents))
        return " ".join(parts)

    text = re.sub(r"(?<![\w.])L(?=\d)", "£", text)  # older books write pounds as L100
    text = pre_decimal_money(text)
    symbols = re.escape("".join(_CURRENCIES))
    return re.sub(rf"([{symbols}]) ?({_NUMBER})(?: ({_SCALES})\b)?", spoken, text)


# Pounds, shillings and pence as British books wrote them before 1971: "£12 10s. 6d.", "10s. 6d.", "40s.",
# "6d." (otherwise read as the decade "forties" and the ordinal "sixth").
# pence and a fraction of a penny, before or after the "d": "6 and 1⁄2d.", "9d. 4⁄5" (from "6½d.", "9d. ⅘")
_FRACTION = r"\d+\u2044\d+"
_PENCE = rf"(\d{{1,2}})(?: and ({_FRACTION}))?d\.?(?: ({_FRACTION})(?![\d\u2044]))?"
_STERLING = re.compile(rf"£ ?(\d{{1,3}}(?:,\d{{3}})+|\d+) (\d{{1,3}})s\.?(?: {_PENCE})?(?!\w)")
_SHILLINGS_AND_PENCE = re.compile(rf"(?<![\w.,£])(\d{{1,3}})s\.? {_PENCE}(?!\w)")
_FRACTION_PENCE = re.compile(
    rf"(?:\b([Aa]) )?(?<![\w.,'’£/\u2044-])(?:(\d{{1,2}}) and )?({_FRACTION})d\.?(?!\w)"
)
_LONE_COIN = re.compile(r"(?<![\w.,'’£/-])(\d{1,3})(s\.|d\.?)(?!\w)")
# after these, "40s." is a decade ("in the 40s.", "in his 40s."); "2d" after these is the old ordinal
_DECADE_BEFORE = {"the", "his", "her", "its", "their", "my", "your", "our", "early", "mid", "late"}
_ORDINAL_BEFORE = {"the", "of", *(month.lower() for month in _MONTHS)}


_POUND, _POUNDS, _PENNY, _PENCE = _CURRENCIES["£"]


_PENNY_PARTS = {(1, 2): "a halfpenny", (1, 4): "a farthing", (3, 4): "three farthings"}


def _pence(whole: str | None, fraction: str | None) -> str | None:
    """ "6", "1⁄2" -> "six and a half pence"; "0", "1⁄4" -> "a farthing"; "0" -> None."""
    count = int(whole or "0")
    if not fraction:
        return _coins(count, _PENNY, _PENCE) if count else None
    top, bottom = (int(x) for x in fraction.split(FRACTION_SLASH))
    if not count:
        return _PENNY_PARTS.get((top, bottom)) or f"{fraction_said(top, bottom)} of a {_PENNY}"
    return f"{cardinal(count)} and {fraction_said(top, bottom, after_whole=True)} {_PENCE}"


def _sterling(pounds: str, shillings: str | None, pence: str | None, fraction: str | None = None) -> str:
    parts = [_coins(int(pounds.replace(",", "")), _POUND, _POUNDS)] if pounds else []
    if shillings and int(shillings):
        parts.append(_coins(int(shillings), "shilling", "shillings"))
    pence_said = _pence(pence, fraction)
    if pence_said:
        parts.append(pence_said)
    if not parts:
        return _coins(0, "shilling", "shillings")
    if pence_said and len(parts) > 1:  # "two pounds ten shillings and sixpence"
        return f"{' '.join(parts[:-1])} and {parts[-1]}"
    return " ".join(parts)


def pre_decimal_money(text: str) -> str:
    """£12 10s. 6d. -> twelve pounds ten shillings and six pence; 40s. -> forty shillings; 6d -> six pence.
    "40s." stays a decade after "the", "his", "early"...; "2d", "3d" (old ordinals) are pence only with their
    period and not after "the", "of" or a month: "the 2d Regiment" and "the 3d. of June" are ordinals."""
    text = _STERLING.sub(lambda m: _sterling(m[1], m[2], m[3], m[4] or m[5]), text)
    text = _SHILLINGS_AND_PENCE.sub(lambda m: _sterling("", m[1], m[2], m[3] or m[4]), text)

    def fraction_pence(match: re.Match[str]) -> str:
        said = _pence(match[2], match[3]) or match[0]
        if match[1]:  # "a ½d. stamp" is "a halfpenny stamp"
            return f"{match[1]} {said.removeprefix('a ')}"
        return said

    text = _FRACTION_PENCE.sub(fraction_pence, text)

    def lone(match: re.Match[str]) -> str:
        count, unit = int(match[1]), match[2]
        before = re.search(r"([A-Za-z]+)\W*$", text[: match.start()])
        word = before[1].lower() if before else ""
        if unit == "s.":
            if count % 10 == 0 and word in _DECADE_BEFORE:
                return match[0]
            return _coins(count, "shilling", "shillings")
        old_ordinal = count % 10 in (2, 3) and count % 100 not in (12, 13)
        if old_ordinal and unit == "d":
            return match[0]  # the ordinals rule reads it
        if old_ordinal and word in _ORDINAL_BEFORE:
            return ordinal(count)  # "the 3d. of June": its period is no stop
        return _coins(count, _PENNY, _PENCE)

    return _LONE_COIN.sub(lone, text)
