import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liangxin.dispatch import reports
from liangxin.dispatch.status import period_status
from tests.dispatch.factories import at, make_period, make_plan, make_task, submit

D = datetime.date


@pytest.fixture
def may(city):
    return make_period("2022-05")


def cell(status, task, unit_name):
    unit_id = next(a.unit_id for a in status.assignments[task.pk] if a.unit.name == unit_name)
    return status.cells[(task.pk, unit_id)]


def test_it_counts_a_report_on_the_due_day_as_on_time_and_the_day_after_as_late(may):
    task = make_task("1", units=("邮政管理局",), deadline=None)
    submit(task, "交通运输局", may, when="2022-05-25")
    submit(task, "邮政管理局", may, when="2022-05-26")
    status = period_status(may, D(2022, 5, 31))
    assert cell(status, task, "交通运输局").on_time is True
    assert cell(status, task, "邮政管理局").on_time is False
    assert status.totals | {} == {
        "expected": 2,
        "submitted": 2,
        "on_time": 1,
        "done": 0,
        "green": 2,
        "yellow": 0,
        "red": 0,
        "earlier_done": 0,
    }


def test_it_turns_red_the_day_after_the_deadline_not_on_it(may):
    task = make_task("1", deadline=D(2022, 5, 20))
    submit(task, "交通运输局", may, when="2022-05-10", percent=100 - 1)
    assert cell(period_status(may, D(2022, 5, 20)), task, "交通运输局").light == "green"
    assert cell(period_status(may, D(2022, 5, 21)), task, "交通运输局").light == "red"


def test_it_shows_done_before_red_and_never_red_for_a_long_term_task(may):
    late_done = make_task("1", deadline=D(2022, 3, 31))
    long_term = make_task("2", deadline=None)
    submit(late_done, "交通运输局", may, when="2022-05-10", status="done", percent=100)
    submit(long_term, "交通运输局", may, when="2022-05-10", percent=0)
    status = period_status(may, D(2022, 12, 31))
    assert cell(status, late_done, "交通运输局").light == "done"
    assert cell(status, long_term, "交通运输局").light == "green"


def test_it_turns_yellow_when_progress_is_more_than_twenty_points_behind_time(may):
    # 2022-01-01 → 2022-11-01 is 304 days; on 2022-06-01 (151 days) 49.7% of the time has gone.
    task = make_task("1", units=("邮政管理局", "民政局"), deadline=D(2022, 11, 1))
    submit(task, "交通运输局", may, when="2022-05-10", percent=30)  # 19.7 behind: green
    submit(task, "邮政管理局", may, when="2022-05-10", percent=29)  # 20.7 behind: yellow
    submit(task, "民政局", may, when="2022-05-10", status="lagging", percent=90)  # says 滞后
    status = period_status(may, D(2022, 6, 1))
    assert cell(status, task, "交通运输局").light == "green"
    assert cell(status, task, "邮政管理局").light == "yellow"
    assert cell(status, task, "民政局").light == "yellow"


def test_the_lag_threshold_is_configurable(may):
    may.plan.lag_points = 10
    may.plan.save()
    task = make_task("1", deadline=D(2022, 11, 1))
    submit(task, "交通运输局", may, when="2022-05-10", percent=35)  # 14.7 behind
    assert cell(period_status(may, D(2022, 6, 1)), task, "交通运输局").light == "yellow"


def test_a_unit_without_a_report_turns_yellow_only_after_the_due_day(may):
    task = make_task("1", deadline=None)
    assert cell(period_status(may, D(2022, 5, 25)), task, "交通运输局").light == "green"
    late = period_status(may, D(2022, 5, 26))
    assert cell(late, task, "交通运输局").light == "yellow"
    assert cell(late, task, "交通运输局").report == "missing"


def test_a_returned_report_is_not_submitted_until_it_is_resubmitted_at_its_own_time(may, office):
    task = make_task("1", deadline=None)
    report = submit(task, "交通运输局", may, when="2022-05-20")
    reports.return_report(report, actor=office, comment="请补充数据", at=at("2022-05-21"))
    returned = period_status(may, D(2022, 5, 25))
    assert cell(returned, task, "交通运输局").report == "returned"
    assert returned.totals["submitted"] == 0
    data = {"status": "on_track", "percent": 60, "progress": "已补充", "problems": "", "next_steps": ""}
    reports.save_report(
        actor=None, task=task, unit=report.unit, period=may, data=data, submit=True, at=at("2022-05-27")
    )
    later = period_status(may, D(2022, 5, 31))
    assert later.totals["submitted"] == 1
    assert later.totals["on_time"] == 0  # the resubmission on the 27th is late
    # …and the picture as of the 22nd is still the returned one.
    assert period_status(may, D(2022, 5, 22)).totals["submitted"] == 0


def test_a_pair_whose_done_report_was_accepted_earlier_is_no_longer_expected(city, office):
    april, may = make_period("2022-04"), make_period("2022-05")
    task = make_task("1", units=("邮政管理局",))
    report = submit(task, "交通运输局", april, when="2022-04-20", status="done", percent=100)
    reports.accept_report(report, actor=office, at=at("2022-04-22"))
    status = period_status(may, D(2022, 5, 31))
    assert status.totals["expected"] == 1
    # Not expected, so no light this month (domain.md §6): shown apart as 此前已完成, and the
    # lights still add up to the expected pairs.
    assert cell(status, task, "交通运输局").light == "earlier"
    assert cell(status, task, "交通运输局").light_label == "此前已完成"
    assert cell(status, task, "交通运输局").expected is False
    t = status.totals
    assert (t["earlier_done"], t["done"], t["yellow"]) == (1, 0, 1)
    assert t["done"] + t["red"] + t["yellow"] + t["green"] == t["expected"]
    # The unit whose only pair finished in April has nothing expected: not ranked, on no list.
    transport = next(row for row in status.units if row.unit.name == "交通运输局")
    assert (transport.expected, transport.rank, transport.score) == (0, None, None)
    assert transport not in status.red_list and transport not in status.black_list
    assert status.units[-1] is transport  # the unranked come last


def test_a_task_that_has_not_started_is_not_in_the_period(may):
    make_task("1", start=D(2022, 6, 1))
    assert period_status(may, D(2022, 5, 31)).tasks == []


def test_units_are_scored_and_ranked_with_ties_sharing_a_rank(may, office):
    task = make_task("1", units=("邮政管理局", "民政局", "司法局"), deadline=None)
    submit(task, "交通运输局", may, when="2022-05-10")
    submit(task, "邮政管理局", may, when="2022-05-11")
    submit(task, "民政局", may, when="2022-05-28")
    returned = submit(task, "司法局", may, when="2022-05-10")
    reports.return_report(returned, actor=office, comment="内容过于简单", at=at("2022-05-12"))
    status = period_status(may, D(2022, 5, 31))
    ranks = {row.unit.name: (row.rank, row.score) for row in status.units}
    assert ranks["交通运输局"] == (1, 70.0)
    assert ranks["邮政管理局"] == (1, 70.0)
    assert ranks["民政局"] == (3, 35.0)  # reported late: half the on-time credit, more than none
    assert ranks["司法局"] == (4, 0.0)  # 0 on time, minus 2 for the return, floored at 0
    assert [r.unit.name for r in status.red_list][:2] == ["交通运输局", "邮政管理局"]


def test_it_takes_a_few_queries_whatever_the_size_of_the_grid(may):
    for n in range(1, 8):
        task = make_task(str(n), units=("邮政管理局", "民政局", "司法局"))
        submit(task, "邮政管理局", may, when="2022-05-10")
    may = type(may).objects.select_related("plan").get(pk=may.pk)
    with CaptureQueriesContext(connection) as queries:
        status = period_status(may, D(2022, 5, 31))
    assert len(queries) <= 4
    assert status.totals["expected"] == 28


def test_the_json_follows_the_command_contract(may):
    task = make_task("2.3", units=("邮政管理局",), title="成立物流行业党委")
    submit(task, "交通运输局", may, when="2022-05-10", percent=70)
    data = period_status(may, D(2022, 5, 31)).as_json()
    assert set(data) == {"period", "as_of", "totals", "rates", "tasks", "units", "red_list", "black_list"}
    assert data["period"] == "2022-05"
    assert data["tasks"][0]["code"] == "2.3"
    assert data["tasks"][0]["units"][0] == {
        "unit": "交通运输局",
        "light": "green",
        "report": "submitted",
        "progress": 70,
        "on_time": True,
    }
    assert data["tasks"][0]["units"][1]["report"] == "missing"
    assert set(data["units"][0]) == {
        "unit",
        "expected",
        "submitted",
        "on_time",
        "late",
        "missing",
        "rate",
        "on_time_rate",
        "score",
        "rank",
    }
    assert data["tasks"][0]["light"] == "yellow"  # 邮政管理局 has no report after the due day
    assert data["tasks"][0]["counts"]["expected"] == 2 and data["tasks"][0]["counts"]["missing"] == 1


def test_make_plan_is_per_year(city):
    assert make_plan(2022) == make_plan(2022)


def test_exactly_twenty_points_behind_is_still_green(city):
    # 2022-01-01 → 2022-01-21 is 20 days; on 2022-01-12 (11 days) 55 % of the time has gone.
    # 55 − 35 is exactly 20 (not more): green; in floating point 11/20×100 is 55.00000000000001.
    january = make_period("2022-01")
    task = make_task("1", units=("邮政管理局",), deadline=D(2022, 1, 21))
    submit(task, "交通运输局", january, when="2022-01-05", percent=35)
    submit(task, "邮政管理局", january, when="2022-01-05", percent=34)
    status = period_status(january, D(2022, 1, 12))
    assert cell(status, task, "交通运输局").light == "green"
    assert cell(status, task, "邮政管理局").light == "yellow"
