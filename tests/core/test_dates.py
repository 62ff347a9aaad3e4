import datetime

from liangxin.core.dates import month_before, month_end


def test_last_month_is_the_same_point_a_month_earlier():
    assert month_before(datetime.date(2022, 5, 31)) == datetime.date(2022, 4, 30)
    assert month_before(datetime.date(2022, 6, 5)) == datetime.date(2022, 5, 5)
    assert month_before(datetime.date(2022, 1, 15)) == datetime.date(2021, 12, 15)
    assert month_before(datetime.date(2022, 3, 29)) == datetime.date(2022, 2, 28)


def test_a_month_ends_on_its_last_day_leap_years_included():
    assert month_end(datetime.date(2024, 2, 10)) == datetime.date(2024, 2, 29)
    assert month_end(datetime.date(2023, 2, 1)) == datetime.date(2023, 2, 28)
    assert month_end(datetime.date(2022, 12, 31)) == datetime.date(2022, 12, 31)
