"""The month-end burst's path costs the same number of queries however big the period is.

At month end hundreds of units open 本月填报 and submit at once; each of those requests must
read only the unit's own pairs (and the pairs of the tasks it leads), never the whole period.
The test builds one period small, measures 本月填报 and a submission, makes the period several
times bigger (more units, more tasks for the unit, every other unit's reports submitted) and
wants the same counts — and the page still right.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liangxin.core.models import MemberUnit
from liangxin.dispatch.models import Report, ReportState
from liangxin.dispatch.status import period_status
from tests.dispatch.factories import make_period, make_task, submit
from tests.factories import make_user

NOW = datetime.datetime(2022, 5, 20, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
DATA = {"status": "on_track", "percent": 60, "progress": "按计划推进", "problems": "", "next_steps": "继续"}


@pytest.fixture
def may(city):
    return make_period("2022-05")


def _grow(may, first: int, tasks: int, units: int, *, lead_first: bool) -> list:
    """`tasks` more tasks, each with `units` new units and 交通运输局 (leading the first one when
    `lead_first`), every new unit's report submitted."""
    made = []
    for t in range(tasks):
        code = str(first + t)
        names = [f"压测单位{code}-{i}" for i in range(units)]
        MemberUnit.objects.bulk_create(
            [MemberUnit(name=n, sort=5000 + first * 100 + i) for i, n in enumerate(names)]
        )
        lead = "交通运输局" if lead_first and t == 0 else names[0]
        others = tuple(n for n in [*names, "交通运输局"] if n != lead)
        task = make_task(code, lead=lead, units=others, deadline=None)
        for name in names:
            submit(task, name, may, when="2022-05-10")
        made.append(task)
    return made


def _mine(client) -> tuple[int, str]:
    cache.clear()  # the navigation's to-do badge is kept a minute: measure it computed
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/dispatch/mine/?period=2022-05")
    assert page.status_code == 200
    return len(queries), page.content.decode()


def _submit(client, task) -> int:
    url = f"/dispatch/mine/2022-05/{task.pk}/"
    version = re.search(r'name="version" value="([^"]*)"', client.get(url).content.decode()).group(1)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        page = client.post(url, DATA | {"version": version, "action": "submit"})
    assert page.status_code == 302
    return len(queries)


@time_machine.travel(NOW, tick=False)
def test_mine_and_a_submission_do_not_grow_with_the_period(may, client):
    client.force_login(make_user("jt", role="member_unit", member_unit="交通运输局"))
    small = _grow(may, 1, 2, 2, lead_first=True)
    small_mine, page = _mine(client)
    assert "本月需报送 2 项，已报送 0 项" in page
    small_submit = _submit(client, small[0])

    big = _grow(may, 10, 6, 12, lead_first=True)  # 6 more tasks (2 led), 72 more units, 72 × 2 reports
    big_mine, page = _mine(client)
    assert "本月需报送 8 项，已报送 1 项" in page
    big_submit = _submit(client, big[1])

    assert big_mine == small_mine
    assert big_submit == small_submit
    assert Report.objects.filter(unit__name="交通运输局", state=ReportState.SUBMITTED).count() == 2


@time_machine.travel(NOW, tick=False)
def test_a_units_part_of_the_status_is_the_whole_periods(may):
    """`period_status(..., unit=)` gives each of the unit's cells, and every cell of the tasks it
    leads, as the whole period's status has them (one rule: the same function computes both)."""
    tasks = _grow(may, 1, 3, 4, lead_first=True)
    submit(tasks[1], "交通运输局", may, when="2022-05-12", status="lagging", percent=20)
    whole = period_status(may, datetime.date(2022, 5, 20))
    jt = MemberUnit.objects.get(name="交通运输局")
    part = period_status(may, datetime.date(2022, 5, 20), unit=jt)
    assert part.partial and not whole.partial
    assert [t.pk for t in part.tasks] == [t.pk for t in tasks]
    led = tasks[0]
    expected = {k: c for k, c in whole.cells.items() if k[1] == jt.pk or k[0] == led.pk}
    assert part.cells == expected
    assert part.task_light(led.pk) == whole.task_light(led.pk)
    assert part.cells[(tasks[1].pk, jt.pk)].light == "yellow"
    with pytest.raises(ValueError, match="红榜需要整个调度期"):
        _ = part.red_list
