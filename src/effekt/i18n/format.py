"""Numbers, money and shares written the Swedish or the English way."""

from __future__ import annotations

__all__ = ["money", "number", "percent"]


def number(value: float, lang: str = "en", decimals: int = 0) -> str:
    """1234567.8 → "1,234,568" (en) or "1 234 568" (sv, with no-break spaces)."""
    text = f"{value:,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def money(value: float, currency: str, lang: str = "en") -> str:
    """60000, "SEK" → "SEK 60,000" (en) or "60 000 kr" (sv)."""
    decimals = 0 if abs(value - round(value)) < 0.005 else 2
    amount = number(value, lang, decimals)
    if lang == "sv":
        unit = "kr" if currency == "SEK" else currency
        return f"{amount}\u00a0{unit}"
    symbol = {"GBP": "£", "USD": "$", "EUR": "€"}.get(currency)
    return f"{symbol}{amount}" if symbol else f"{currency} {amount}"


def percent(share: float, lang: str = "en", decimals: int = 1) -> str:
    """0.075 → "7.5 %" (en) or "7,5 %" (sv); whole numbers without decimals."""
    value = share * 100
    if abs(value - round(value)) < 1e-9:
        decimals = 0
    return number(value, lang, decimals) + "\u00a0%"
