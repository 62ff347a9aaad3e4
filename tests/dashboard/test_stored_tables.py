"""Past days' coverage tables are stored: the cockpit's figures stay the coverage command's, a
stored day is read back without recomputing, a change is followed (at once without a worker;
marked 更新中 and recomputed by the worker with one), and dispatch_tick stores the month just closed."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liangxin.coverage.models import Formation
from liangxin.coverage.services import save_party_org
from liangxin.dashboard import snapshots
from liangxin.dashboard.models import StoredTable
from liangxin.dashboard.queries import BEHIND, COMPUTED, PENDING
from tests.coverage.factories import make_org, make_party_org
from tests.factories import make_user

D = datetime.date
APRIL, MAY = "2022-04-30", "2022-05-31"


@pytest.fixture
def orgs(city):
    """Two counties; 吉州区's branch is founded in May, so April and May differ; two 三有."""
    may_branch = make_org(
        "吉州五月建支部公司", region="360802001", members=5, employees=20, founded_on=D(2019, 1, 1)
    )
    make_party_org("吉州五月建支部公司支部", may_branch, founded_on=D(2022, 5, 10))
    old = make_org("青原老支部公司", region="360803001", members=3, employees=40, founded_on=D(2018, 1, 1))
    make_party_org("青原老支部公司支部", old, founded_on=D(2020, 1, 1))
    make_org("青原应建公司", region="360803001", members=6, employees=3, founded_on=D(2018, 1, 1))
    make_org("吉州新公司", region="360802001", members=0, founded_on=D(2022, 5, 20))
    return {"uncovered": make_org("吉州待建公司", region="360802001", members=4, founded_on=D(2017, 1, 1))}


def command(day: str, scope: str) -> dict:
    out = io.StringIO()
    call_command("coverage", "--as-of", day, "--scope", scope, "--json", stdout=out)
    return json.loads(out.getvalue())


def bars(client, day: str, scope: str) -> dict:
    response = client.get(f"/cockpit/data/coverage.json?as_of={day}&scope={scope}")
    assert response.status_code == 200
    return response.json()


def line(client, day: str, scope: str) -> dict:
    return {
        row[0]: row
        for row in client.get(f"/cockpit/data/months.json?as_of={day}&scope={scope}").json()["rows"]
    }


def by_name(table: dict) -> dict:
    return {
        r["name"]: [r["org_rate_pct"], r["single_rate_pct"], r["work_rate_pct"]]
        for r in table["rows"]
        if r["total"]
    }


@time_machine.travel("2022-06-15 10:00 +0800", tick=False)
@pytest.mark.parametrize("scope", ["all", "三有"])
@pytest.mark.parametrize("day", [APRIL, MAY])
def test_stored_or_not_the_cockpit_says_what_the_coverage_command_says(client_for, office, orgs, day, scope):
    client = client_for(office)
    first = bars(client, day, scope)  # computed, then stored
    assert StoredTable.objects.filter(day=day, scope=scope).exists()
    cache.clear()
    again = bars(client, day, scope)  # read back from the stored table
    expected = command(day, scope)
    assert {r[0]: r[1:] for r in first["rows"]} == {r[0]: r[1:] for r in again["rows"]} == by_name(expected)
    point = line(client, day, scope)[day]
    assert point[1:4] == [
        expected["total"]["org_rate_pct"],
        expected["total"]["single_rate_pct"],
        expected["total"]["work_rate_pct"],
    ]
    assert point[4] == COMPUTED


@time_machine.travel("2022-06-15 10:00 +0800", tick=False)
def test_april_and_may_differ_so_the_comparison_above_can_fail(orgs):
    assert command(APRIL, "all")["total"]["single"] == 1 and command(MAY, "all")["total"]["single"] == 2
    assert command(MAY, "三有")["total"]["total"] == 2


@time_machine.travel("2022-06-15 10:00 +0800", tick=False)
def test_a_stored_day_is_read_back_without_counting_again(client_for, office, orgs):
    client = client_for(office)
    bars(client, MAY, "all")
    cache.clear()
    with CaptureQueriesContext(connection) as run:
        bars(client, MAY, "all")
    assert not [q for q in run.captured_queries if "coverage_coveragelink" in q["sql"]]


@time_machine.travel("2022-06-15 10:00 +0800", tick=False)
def test_the_running_month_is_never_stored(client_for, office, orgs):
    bars(client_for(office), "2022-06-15", "all")
    stored = set(StoredTable.objects.values_list("day", flat=True))
    assert D(2022, 6, 15) not in stored and D(2022, 5, 31) in stored and D(2022, 5, 15) in stored


@time_machine.travel("2022-06-15 10:00 +0800", tick=False)
def test_without_a_worker_a_change_shows_at_once(
    client_for, office, orgs, django_capture_on_commit_callbacks
):
    client = client_for(office)
    assert bars(client, MAY, "all")["rows"][0][1] == 33.3  # 吉州区: 1 of 3
    with django_capture_on_commit_callbacks(execute=True):
        save_party_org(
            None, actor=office, today=D(2022, 6, 15), organizations=[orgs["uncovered"]], name="吉州待建公司支部",
            org_type="branch", formation=Formation.SINGLE, founded_on=D(2022, 3, 1),
        )  # fmt: skip
    after = bars(client, MAY, "all")
    assert after["rows"][0][1] == 66.7 and not after["note"]
    assert {r[0]: r[1:] for r in after["rows"]} == by_name(command(MAY, "all"))


@pytest.fixture
def worker(settings):
    """The production backend: jobs wait in the database for `liangxin db_worker`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker(monkeypatch) -> None:
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@time_machine.travel("2022-06-15 10:00 +0800", tick=False)
def test_with_a_worker_a_change_shows_the_stored_day_marked_until_the_worker_recomputes_it(
    client_for, orgs, worker, monkeypatch, django_capture_on_commit_callbacks
):
    county = make_user("qx360802", role="county", region="360802")
    client = client_for(county)
    assert bars(client, MAY, "all")["rows"][0][1] == 33.3  # 古南街道: 1 of 3
    run_worker(monkeypatch)  # it computes the line's month-ends the first load left to it
    with django_capture_on_commit_callbacks(execute=True):
        save_party_org(
            None, actor=county, today=D(2022, 6, 15), organizations=[orgs["uncovered"]], name="吉州待建公司支部",
            org_type="branch", formation=Formation.SINGLE, founded_on=D(2022, 3, 1),
        )  # fmt: skip
    shown = bars(client, MAY, "all")
    assert shown["rows"][0][1] == 33.3 and BEHIND in shown["note"]  # the stored May, said to be updating
    assert line(client, MAY, "all")[APRIL][4] == BEHIND
    waiting = snapshots.queue.waiting(snapshots.refresh_tables_job)
    assert waiting.count() == 1  # one refresh for the county user's tables, however many charts asked
    run_worker(monkeypatch)
    fresh = bars(client, MAY, "all")
    assert fresh["rows"][0][1] == 66.7 and not fresh["note"]
    assert line(client, MAY, "all")[APRIL][4] == COMPUTED


@time_machine.travel("2022-06-15 10:00 +0800", tick=False)
def test_a_first_load_with_a_worker_counts_only_the_days_it_shows_and_leaves_the_line_to_it(
    client_for, office, orgs, worker, monkeypatch
):
    """Nothing stored yet (an installation's first load, a new scope): the request counts the
    day shown; the line's other month-ends and the tiles' day a month earlier are the worker's."""
    client = client_for(office)
    expected = command(MAY, "all")
    assert {r[0]: r[1:] for r in bars(client, MAY, "all")["rows"]} == by_name(expected)
    assert set(StoredTable.objects.values_list("day", flat=True)) == {D(2022, 5, 31)}
    months = client.get(f"/cockpit/data/months.json?as_of={MAY}&scope=all").json()
    points = {row[0]: row for row in months["rows"]}
    assert points[MAY][1:] == [expected["total"]["org_rate_pct"], expected["total"]["single_rate_pct"],
                               expected["total"]["work_rate_pct"], COMPUTED]  # fmt: skip
    waiting = [day for day, row in points.items() if row[4] == PENDING]
    assert len(waiting) == 11 and all(points[day][1:4] == [None, None, None] for day in waiting)
    assert PENDING in months["note"] and "—" in dict(zip(points, months["display"], strict=True))[APRIL]
    shown = client.get(f"/cockpit/data/tiles.json?as_of={MAY}").json()
    tiles = {t["key"]: t for t in shown["tiles"]}
    assert tiles["org_rate"]["value"] == expected["total"]["org_rate_pct"]
    assert (tiles["org_rate"]["change"], tiles["org_rate"]["change_text"]) == (None, PENDING)
    assert tiles["should_build"]["value"] == expected["total"]["should_build"]
    assert PENDING in shown["note"]
    assert snapshots.queue.waiting(snapshots.refresh_tables_job).count() == 1  # one, for every chart
    run_worker(monkeypatch)
    assert StoredTable.objects.filter(scope="all").count() == 12  # the line (April is the tiles' day too)
    points = line(client, MAY, "all")
    assert {row[4] for row in points.values()} == {COMPUTED}
    for day in waiting:
        total = command(day, "all")["total"]
        assert points[day][1:4] == [total["org_rate_pct"], total["single_rate_pct"], total["work_rate_pct"]]
    tiles = {t["key"]: t for t in client.get(f"/cockpit/data/tiles.json?as_of={MAY}").json()["tiles"]}
    april = command(APRIL, "all")["total"]
    assert tiles["org_rate"]["change"] == round(expected["total"]["org_rate_pct"] - april["org_rate_pct"], 1)


@time_machine.travel("2022-06-15 10:00 +0800", tick=False)
def test_each_viewer_has_its_own_stored_tables(client_for, office, orgs):
    assert [r[0] for r in bars(client_for(office), MAY, "all")["rows"]] == ["吉州区", "青原区"]
    county = make_user("qx360803", role="county", region="360803")
    rows = bars(client_for(county), MAY, "all")["rows"]
    assert [r[0] for r in rows] == ["河东街道"]  # its own townships, not the office's stored city table
    assert StoredTable.objects.filter(day=MAY).values("viewer").distinct().count() == 2


def test_dispatch_tick_stores_the_month_just_closed_for_the_office(office, orgs):
    with time_machine.travel("2022-06-01 08:00 +0800", tick=False):
        call_command("dispatch_tick", stdout=io.StringIO())
        expected = command(MAY, "all")
    stored = StoredTable.objects.get(day=MAY, scope="all")
    total = stored.table["total"]
    assert [total[0], *total[2:]] == [
        "360800", expected["total"]["total"], expected["total"]["single"], expected["total"]["joint"],
        expected["total"]["work"], expected["total"]["none"], expected["total"]["should_build"],
    ]  # fmt: skip
    assert StoredTable.objects.count() == 12  # the line's month-ends up to May


def test_when_no_worker_takes_the_refresh_the_page_recomputes_after_five_minutes(
    client_for, orgs, worker, django_capture_on_commit_callbacks
):
    county = make_user("qx360802", role="county", region="360802")
    client = client_for(county)
    with time_machine.travel("2022-06-15 10:00 +0800", tick=False):
        bars(client, MAY, "all")
        with django_capture_on_commit_callbacks(execute=True):
            save_party_org(
                None, actor=county, today=D(2022, 6, 15), organizations=[orgs["uncovered"]], name="吉州待建公司支部",
                org_type="branch", formation=Formation.SINGLE, founded_on=D(2022, 3, 1),
            )  # fmt: skip
        assert BEHIND in bars(client, MAY, "all")["note"]  # a refresh is queued
    with time_machine.travel("2022-06-15 10:04 +0800", tick=False):
        assert BEHIND in bars(client, MAY, "all")["note"]  # the worker may still come
    with time_machine.travel("2022-06-15 10:06 +0800", tick=False):
        late = bars(client, MAY, "all")  # nobody took it: the page counts itself
        assert late["rows"][0][1] == 66.7 and not late["note"]


def test_dispatch_tick_drops_tables_left_behind_the_data_for_a_month(
    client_for, orgs, django_capture_on_commit_callbacks
):
    county = make_user("qx360802", role="county", region="360802")
    with time_machine.travel("2022-06-15 10:00 +0800", tick=False):
        bars(client_for(county), MAY, "all")
        kept = bars(client_for(make_user("qx360803", role="county", region="360803")), APRIL, "all")
        assert kept["rows"]
    with time_machine.travel("2022-06-20 10:00 +0800", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            save_party_org(
                None, actor=county, today=D(2022, 6, 20), organizations=[orgs["uncovered"]], name="吉州待建公司支部",
                org_type="branch", formation=Formation.SINGLE, founded_on=D(2022, 3, 1),
            )  # fmt: skip
    viewers = set(StoredTable.objects.values_list("viewer", flat=True))
    with time_machine.travel("2022-07-14 08:00 +0800", tick=False):
        call_command("dispatch_tick", stdout=io.StringIO())  # 29 days: kept
    assert viewers <= set(StoredTable.objects.values_list("viewer", flat=True))
    with time_machine.travel("2022-07-16 08:00 +0800", tick=False):
        call_command("dispatch_tick", stdout=io.StringIO())  # 31 days behind, nobody asked: dropped
    assert not StoredTable.objects.exists()
