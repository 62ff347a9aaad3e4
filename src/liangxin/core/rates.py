"""Rates as a reader sees them: one rule for every page, document, command and chart.

A rate is a fraction (0.8125 for 81.25%) or None when there is nothing to divide by. It is shown
with one decimal, rounded half up once from the exact value (“81.3%”), everywhere; a change from
last month is the difference of the two rounded percentages, so “81.3%，较上月提高1.2个百分点”
adds up on paper.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

Rate = Decimal | float | int | None

DASH = "—"
_TENTH = Decimal("0.1")


def ratio(numerator: int | None, denominator: int | None) -> Decimal | None:
    """numerator ÷ denominator as an exact fraction; None when the denominator is 0 or missing."""
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def to_percent(rate: Rate) -> Decimal | None:
    """A fraction as a percentage with one decimal, rounded half up (0.8125 → 81.3)."""
    if rate is None:
        return None
    # str() first: a float like 0.8125 must round as the decimal a person reads, not its binary value.
    return (Decimal(str(rate)) * 100).quantize(_TENTH, rounding=ROUND_HALF_UP)


def percent_of(part: int | None, whole: int | None) -> Decimal | None:
    """part ÷ whole as a percentage with one decimal (3, 8 → 37.5); None when whole is 0."""
    return to_percent(ratio(part, whole))


def percent_value(rate: Rate) -> float | None:
    """The one-decimal percentage as a number for a chart or JSON (0.8125 → 81.3)."""
    percent = to_percent(rate)
    return None if percent is None else float(percent)


def format_percent(rate: Rate) -> str:
    """“81.3%” (always one decimal, “50.0%”), or “—” when there is no rate."""
    percent = to_percent(rate)
    return DASH if percent is None else f"{percent}%"


def change_points(current: Rate, previous: Rate) -> Decimal | None:
    """The change in percentage points between two rates, as the rounded figures show it."""
    now, before = to_percent(current), to_percent(previous)
    if now is None or before is None:
        return None
    return now - before


def format_points(points: Decimal | float | None) -> str:
    """A change in points for a table cell: “+1.2”, “-0.4”, “0.0”, or “—” in the first month."""
    if points is None:
        return DASH
    value = Decimal(str(points)).quantize(_TENTH, rounding=ROUND_HALF_UP)
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"-{-value}"
    return "0.0"
