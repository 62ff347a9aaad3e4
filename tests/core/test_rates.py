"""One rate format for pages, documents, commands and charts: one decimal, rounded half up once."""

from decimal import Decimal

import pytest

from liangxin.core import rates
from liangxin.dispatch.templatetags.dispatch_tags import pct


@pytest.mark.parametrize(
    ("rate", "shown"),
    [(0.5, "50.0%"), (1, "100.0%"), (0, "0.0%"), (0.8125, "81.3%"), (Decimal(3) / 8, "37.5%"), (None, "—")],
)
def test_every_rate_has_one_decimal(rate, shown):
    assert rates.format_percent(rate) == shown
    assert pct(rate) == shown  # the pages' filter is the same rule


def test_a_rate_of_nothing_is_no_rate():
    assert rates.percent_of(3, 0) is None
    assert rates.percent_of(3, 8) == Decimal("37.5")
    assert rates.percent_value(Decimal(1) / 3) == 33.3


def test_a_change_is_taken_between_the_rounded_figures():
    assert rates.change_points(0.81249, 0.80049) == Decimal("1.2")  # 81.2 − 80.0
    assert rates.format_points(Decimal("-0.4")) == "-0.4"
    assert rates.format_points(None) == "—"
