"""Scores and ranks (domain.md §6): ties share a rank, the 红榜/黑榜 keep everyone tied at the
cut, a late reporter outranks a non-reporter, a unit with nothing expected is not ranked."""

import datetime

import pytest

from liangxin.core.models import MemberUnit
from liangxin.dispatch import reports
from liangxin.dispatch.ranking import competition_ranks
from liangxin.dispatch.status import period_status
from tests.dispatch.factories import at, make_period, make_task, submit

D = datetime.date
UNITS = ("邮政管理局", "民政局", "司法局", "市场监管局", "网信办", "工商联")


@pytest.fixture
def may(city):
    return make_period("2022-05")


def ranks(status):
    return {row.unit.name: row.rank for row in status.units}


def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped():
    assert competition_ranks([90.0, 70.0, 70.0, 50.0, 50.0, 50.0, 10.0]) == [1, 2, 2, 4, 4, 4, 7]


def test_a_late_reporter_outranks_a_unit_that_reported_nothing(may):
    task = make_task("1", units=("邮政管理局", "民政局"), deadline=None)
    submit(task, "交通运输局", may, when="2022-05-10")
    submit(task, "邮政管理局", may, when="2022-05-28")  # after the 25th: late
    status = period_status(may, D(2022, 5, 31))
    scores = {row.unit.name: row.score for row in status.units}
    assert scores["交通运输局"] > scores["邮政管理局"] > scores["民政局"] == 0.0
    assert ranks(status) == {"交通运输局": 1, "邮政管理局": 2, "民政局": 3}


def test_a_unit_with_nothing_expected_is_not_ranked_and_on_no_list(city, office):
    april, may = make_period("2022-04"), make_period("2022-05")
    finished = make_task("1", lead="司法局", deadline=None)
    report = submit(finished, "司法局", april, when="2022-04-10", status="done", percent=100)
    reports.accept_report(report, actor=office, at=at("2022-04-12"))
    other = make_task("2", units=("民政局",), deadline=None)  # nobody reports on it in May
    status = period_status(may, D(2022, 5, 31))
    row = next(r for r in status.units if r.unit.name == "司法局")
    assert (row.expected, row.score, row.rank) == (0, None, None)
    assert "司法局" not in [r.unit.name for r in status.black_list + status.red_list]
    assert "司法局" not in [r.unit.name for r in status.late_units]
    assert {r.unit.name for r in status.late_units} == {"交通运输局", "民政局"}
    assert status.as_json()["units"][-1] == {
        "unit": "司法局",
        "expected": 0,
        "submitted": 0,
        "on_time": 0,
        "late": 0,
        "missing": 0,
        "rate": None,
        "on_time_rate": None,
        "score": None,
        "rank": None,
    }
    assert other.code == "2"


def _grid(may, on_time: dict[str, int], pairs: int = 4):
    """Tasks 1..pairs with every unit of UNITS (and the lead 交通运输局) reporting; each unit in
    `on_time` reports that many of them on time and nothing else."""
    tasks = [make_task(str(n), units=UNITS, deadline=None) for n in range(1, pairs + 1)]
    for name, count in on_time.items():
        for task in tasks[:count]:
            submit(task, name, may, when="2022-05-10")
    return tasks


def test_a_tie_at_fifth_place_puts_every_tied_unit_on_the_red_list_and_says_so(may):
    # Seven units: 4, 3, 3, 3, 2, 2, 2 reports on time of 4 → ranks 1, 2, 2, 2, 5, 5, 5.
    _grid(
        may,
        {
            "交通运输局": 4,
            "邮政管理局": 3,
            "民政局": 3,
            "司法局": 3,
            "市场监管局": 2,
            "网信办": 2,
            "工商联": 2,
        },
    )
    status = period_status(may, D(2022, 5, 31))
    assert {r.unit.name: r.rank for r in status.units} == {
        "交通运输局": 1,
        "邮政管理局": 2,
        "民政局": 2,
        "司法局": 2,
        "市场监管局": 5,
        "网信办": 5,
        "工商联": 5,
    }
    # the top five ranks and everyone tied at the cut: all seven, none dropped
    assert len(status.red_list) == 7
    # every ranked unit is on the 红榜, and nobody is on both lists
    assert status.black_list == []


def test_the_black_list_keeps_everyone_tied_at_its_cut_worst_first(may):
    more = ("财政局", "商务局", "税务局", "工信局")
    tasks = [make_task(str(n), units=UNITS + more, deadline=None) for n in (1, 2)]
    # 11 units: 2 on time: 交通运输局, 邮政管理局, 民政局, 司法局, 市场监管局 (ranks 1..1);
    # 1 on time: 网信办, 工商联, 财政局; nothing: 商务局, 税务局, 工信局.
    for name in ("交通运输局", "邮政管理局", "民政局", "司法局", "市场监管局"):
        for task in tasks:
            submit(task, name, may, when="2022-05-10")
    for name in ("网信办", "工商联", "财政局"):
        submit(tasks[0], name, may, when="2022-05-10")
    status = period_status(may, D(2022, 5, 31))
    assert {r.unit.name for r in status.red_list} == {
        "交通运输局",
        "邮政管理局",
        "民政局",
        "司法局",
        "市场监管局",
    }
    black = [(r.unit.name, r.rank) for r in status.black_list]
    # bottom rank 1 shared by three (scored 0), bottom rank 4 shared by three: six on the 黑榜
    assert sorted(black[:3]) == sorted([("商务局", 9), ("税务局", 9), ("工信局", 9)])
    assert sorted(name for name, _ in black[3:]) == sorted(["网信办", "工商联", "财政局"])
    assert {rank for _, rank in black[3:]} == {6}


def test_a_unit_that_sent_some_on_time_is_late_and_says_what_it_missed(may):
    tasks = _grid(may, {"交通运输局": 4}, pairs=4)
    for task in tasks[:3]:
        submit(task, "邮政管理局", may, when="2022-05-10")
    submit(tasks[3], "邮政管理局", may, when="2022-05-27")
    status = period_status(may, D(2022, 5, 31))
    post = next(r for r in status.units if r.unit.name == "邮政管理局")
    assert (post.expected, post.on_time, post.late, post.missing) == (4, 3, 1, 0)
    assert post in status.late_units
    assert [(t.code, c.submitted) for t, c in status.late_pairs(post.unit.pk)] == [("4", True)]
    assert "交通运输局" not in [r.unit.name for r in status.late_units]
    assert MemberUnit.objects.filter(name="邮政管理局").exists()
