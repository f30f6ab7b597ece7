"""Units of measure after a number: "5 km", "1-2 lbs.", "20°C", "22 2/3 ft.", "3 sq. mi."."""

from __future__ import annotations

import re

from audiobook_tts.text.normalize.context import NormalizeContext
from audiobook_tts.text.normalize.numbers import (
    _NUMBER,
    FRACTION_SLASH,
    _fraction,
    _read_number,
    cardinal,
    fraction_said,
)

_UNITS = {
    "km": ("kilometre", "kilometres"),
    "m": ("metre", "metres"),
    "cm": ("centimetre", "centimetres"),
    "mm": ("millimetre", "millimetres"),
    "kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "ozs": ("ounce", "ounces"),
    "qt": ("quart", "quarts"),
    "qts": ("quart", "quarts"),
    "gal": ("gallon", "gallons"),
    "tsp": ("teaspoon", "teaspoons"),
    "tbsp": ("tablespoon", "tablespoons"),
    "ft": ("foot", "feet"),
    "yd": ("yard", "yards"),
    "doz": ("dozen", "dozen"),
    "cwt": ("hundredweight", "hundredweight"),
    "mi": ("mile", "miles"),
    "mph": ("mile per hour", "miles per hour"),
    "km/h": ("kilometre per hour", "kilometres per hour"),
    "kph": ("kilometre per hour", "kilometres per hour"),
    "l": ("litre", "litres"),
    "ml": ("millilitre", "millilitres"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "kW": ("kilowatt", "kilowatts"),
    "W": ("watt", "watts"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "GB": ("gigabyte", "gigabytes"),
    "MB": ("megabyte", "megabytes"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "° C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "° F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "° F.": ("degree Fahrenheit", "degrees Fahrenheit"),
    "° C.": ("degree Celsius", "degrees Celsius"),
    "°": ("degree", "degrees"),
    "′": ("minute", "minutes"),  # of arc, after degrees
    "′′": ("second", "seconds"),  # NFKC turns ″ into two primes
    "″": ("second", "seconds"),
    "℔": ("pound", "pounds"),
    "in.": ("inch", "inches"),  # with its period, so "3 in the morning" is left alone
    "sq. m.": ("square mile", "square miles"),
    "sq. mi.": ("square mile", "square miles"),
    "sq. ft.": ("square foot", "square feet"),
    "sq. km": ("square kilometre", "square kilometres"),
}


_UNIT_NAMES = "|".join(re.escape(unit) for unit in sorted(_UNITS, key=len, reverse=True))
_UNIT_PATTERN = re.compile(
    rf"(?<![\w./])(?:({_NUMBER}) ?[-–] ?)?(-?)((?:\d+ )?\d/\d+|(?:\d+ and )?\d+\u2044\d+|{_NUMBER}) ?"
    rf"({_UNIT_NAMES})(?![\w/′])(\.)?"
)
_SENTENCE_ENDS = re.compile(r"\s*$| [A-Z]")


def _read_amount(written: str) -> str:
    """A number, or a fraction with an optional whole part: "22 2/3" -> "twenty-two and two thirds"."""
    if "/" not in written and FRACTION_SLASH not in written:
        return _read_number(written)
    whole, _, fraction = written.rpartition(" ")
    whole = whole.removesuffix(" and")
    top, bottom = (int(x) for x in re.split(f"[/{FRACTION_SLASH}]", fraction))
    if FRACTION_SLASH in fraction:
        said = fraction_said(top, bottom, after_whole=bool(whole))
    else:
        said = _fraction(top, bottom) or f"{cardinal(top)} over {cardinal(bottom)}"
    return f"{_read_number(whole)} and {said}" if whole else said


def _below_one(amount: str) -> bool:
    """A fraction alone, less than one: "½ lb." is "one half pound", as "½ cup" is "one half cup"."""
    if " " in amount:
        return False
    parts = re.split(f"[/{FRACTION_SLASH}]", amount)
    return len(parts) == 2 and int(parts[0]) < int(parts[1])


def units(text: str, ctx: NormalizeContext) -> str:
    """5 km -> five kilometres, 1 kg -> one kilogram, 20°C -> twenty degrees Celsius, "1-2 lbs." -> "one to
    two pounds" (a range's dash before the unit was read "one-two pounds")."""

    def spoken(match: re.Match[str]) -> str:
        low, minus, amount, unit, period = match.groups()
        one, many = _UNITS[unit]
        number = ("minus " if minus else "") + _read_amount(amount)
        if low:
            number = f"{_read_amount(low)} to {number}"
        # the period of "6 lbs. good sugar" marks the abbreviation, not the end of a sentence; a unit that
        # carries its own ("185° F. Slowly", "6 in. The") ends one just the same
        pointed = period or unit.endswith(".")
        stop = "." if pointed and _SENTENCE_ENDS.match(match.string, match.end()) else ""
        return f"{number} {one if (amount == '1' or _below_one(amount)) and not low else many}{stop}"

    return _UNIT_PATTERN.sub(spoken, text)
