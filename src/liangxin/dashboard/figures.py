"""How the cockpit writes a rate: the bulletin's rule (one decimal, half up), as a number for a
chart and as text for a table (“40.0%”). Rates arrive as fractions from the domain functions."""

from __future__ import annotations

from liangxin.documents.bulletin import Rate, format_percent, to_percent


def percent(rate: Rate) -> float | None:
    """0.4 → 40.0 (a chart's value); None stays None."""
    value = to_percent(rate)
    return None if value is None else float(value)


def percent_text(rate: Rate) -> str:
    """0.4 → “40.0%”, None → “—”."""
    return format_percent(rate)
