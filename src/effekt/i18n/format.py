"""Numbers, money and shares written the Swedish or the English way.

The one rule for a number's sign, from the CLDR locale data: Swedish writes a negative
number with the minus sign U+2212 ("−7 424 683 kr"), English with the hyphen-minus
("-7,424,683"). A number that rounds to zero is written without a sign, never "−0". This
is for text people read; JSON, CSV and the workbook's cells keep plain numbers.
"""

from __future__ import annotations

import math

__all__ = ["minus_sign", "money", "number", "percent", "rate", "signed", "significant"]


def minus_sign(lang: str) -> str:
    """The language's minus sign: U+2212 in Swedish, the ASCII hyphen-minus in English."""
    return "\u2212" if lang == "sv" else "-"


def _is_zero(digits: str) -> bool:
    """Whether written digits ("0", "0,00", "0.0") are a zero."""
    return digits.strip("0.,") == ""


def number(value: float, lang: str = "en", decimals: int = 0) -> str:
    """1234567.8 → "1,234,568" (en) or "1 234 568" (sv, with no-break spaces).

    >>> number(-7424683, "sv"), number(-7424683, "en"), number(-0.004, "sv", 2)
    ('−7\\xa0424\\xa0683', '-7,424,683', '0,00')
    """
    text = f"{abs(value):,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", "\u00a0").replace(".", ",")
    if value < 0 and not _is_zero(text):
        return minus_sign(lang) + text
    return text


def significant(value: float, lang: str = "en", digits: int = 4) -> str:
    """``value`` to ``digits`` significant figures, trailing zeros dropped; whole numbers in
    full up to 10^16 (beyond, a float's digits are noise: ``1e+300``, not 301 digits).

    >>> significant(1.23456, "sv"), significant(-0.0631079, "en"), significant(444722.4, "sv", 3)
    ('1,235', '-0.06311', '444\xa0722')
    >>> significant(1e300, "en"), significant(-1.5e300, "sv")
    ('1e+300', '−1,5e+300')
    """
    if value == 0 or not math.isfinite(value):
        return number(value, lang)
    if abs(value) >= 1e16:
        text = f"{abs(value):.{digits}g}"
        text = text.replace(".", ",") if lang == "sv" else text
        return (minus_sign(lang) if value < 0 else "") + text
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = number(value, lang, decimals)
    return text.rstrip("0").rstrip(".,") if decimals else text


def signed(value: float, lang: str = "en", decimals: int = 0) -> str:
    """A difference, its sign always written: "+1.1", "-10.8" (en), "+1,1", "−10,8" (sv); a
    zero without a sign.

    >>> signed(1.06, "sv", 1), signed(-10.83, "sv", 1), signed(-0.04, "en", 1)
    ('+1,1', '−10,8', '0.0')
    """
    text = number(value, lang, decimals)
    return "+" + text if value > 0 and not _is_zero(text) else text


def money(value: float, currency: str, lang: str = "en") -> str:
    """60000, "SEK" → "SEK 60,000" (en) or "60 000 kr" (sv); in English the sign stands
    before the currency, as CLDR writes it.

    >>> money(-4440000, "GBP"), money(-7424683, "SEK"), money(-7424683, "SEK", "sv")
    ('-£4,440,000', '-SEK 7,424,683', '−7\xa0424\xa0683\xa0kr')
    """
    decimals = 0 if abs(value - round(value)) < 0.005 else 2
    amount = number(value, lang, decimals)
    if lang == "sv":
        unit = "kr" if currency == "SEK" else currency
        return f"{amount}\u00a0{unit}"
    sign = minus_sign(lang) if amount.startswith(minus_sign(lang)) else ""
    amount = amount.removeprefix(sign)
    symbol = {"GBP": "£", "USD": "$", "EUR": "€"}.get(currency)
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{currency} {amount}"


def percent(share: float, lang: str = "en", decimals: int = 1) -> str:
    """0.075 → "7.5 %" (en) or "7,5 %" (sv): at most ``decimals`` decimals, no trailing
    zeros (a threshold of 7.5 % is "7,5 %" whether two decimals are allowed or one).

    >>> percent(0.075, "sv", 2), percent(0.0839, "sv", 2), percent(0.1, "en", 2)
    ('7,5\xa0%', '8,39\xa0%', '10\xa0%')
    """
    text = number(share * 100, lang, decimals)
    if decimals > 0:
        text = text.rstrip("0").rstrip(".,")
    if text in ("−0", "-0"):
        text = "0"
    return text + "\u00a0%"


def rate(share: float, lang: str = "en", decimals: int = 1) -> str:
    """A rate of return in a table: always ``decimals`` decimals, so that a column of them
    reads alike ("6.9 %" above "0.0 %" and "-100.0 %", not "0 %" and "-100 %"); the
    workbook's rate cells show the same one decimal.

    >>> rate(0.0694, "en"), rate(0.0, "sv"), rate(-1.0, "sv")
    ('6.9\xa0%', '0,0\xa0%', '−100,0\xa0%')
    """
    return number(share * 100, lang, decimals) + "\u00a0%"
