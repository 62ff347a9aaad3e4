"""January 1: the dispatch drafts the new year's plan from the old one, the office confirms it,
and the January period opens. The old year stays as it was."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from liangxin.dispatch.models import Milestone, Notice, Period, Plan, Task
from tests.dispatch.factories import make_period, make_task, submit
from tests.factories import make_user

SHANGHAI = timezone.get_default_timezone()


def at_local(text: str):
    return time_machine.travel(datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI), tick=False)


def tick() -> dict:
    out = io.StringIO()
    call_command("dispatch_tick", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def year_2022(city):
    """Three tasks: 长期, done in December, and one still unfinished (with a milestone)."""
    december = make_period("2022-12")
    make_task("1", title="常态化排查联合党支部", units=("民政局",), deadline=None)
    done = make_task("2", title="成立物流行业党委", deadline=datetime.date(2022, 12, 31))
    late = make_task("3", title="快递驿站全覆盖", units=("邮政管理局",), deadline=datetime.date(2022, 12, 31))
    Milestone.objects.create(task=late, due=datetime.date(2022, 6, 30), due_text="6月底前", text="完成摸排")
    submit(done, "交通运输局", december, when="2022-12-10", status="done", percent=100)
    submit(late, "交通运输局", december, when="2022-12-10", percent=60)
    return december


def test_on_january_1_the_new_plan_is_drafted_with_the_tasks_that_go_on(year_2022):
    with at_local("2023-01-01 00:10"):
        result = tick()
    assert result["period"] is None and result["draft_plan"] == 2023 and result["carried"] == 2
    plan = Plan.objects.get(year=2023)
    assert plan.is_draft
    carried = {t.code: t for t in Task.objects.filter(plan=plan)}
    assert sorted(carried) == ["1", "3"]  # 长期, and not done by December 31
    assert carried["1"].carried_from.plan.year == 2022 and carried["1"].start == datetime.date(2023, 1, 1)
    assert {a.unit.name for a in carried["3"].assignments.all()} == {"交通运输局", "邮政管理局"}
    assert not carried["3"].milestone_items.exists()  # last year's milestones stay with last year's task
    assert Milestone.objects.filter(task__plan__year=2022).count() == 1
    assert not Period.objects.filter(
        month=datetime.date(2023, 1, 1)
    ).exists()  # not before the office confirms
    with at_local("2023-01-01 00:15"):
        again = tick()
    assert again["carried"] == 0 and Task.objects.filter(plan=plan).count() == 2  # once only


def test_the_command_tells_the_office_what_to_do(year_2022):
    out = io.StringIO()
    with at_local("2023-01-01 08:00"):
        call_command("dispatch_tick", stdout=out)
    assert "2023年重点任务清单为草稿，本次由上年度结转 2 项任务" in out.getvalue()
    assert "确认清单后即打开本月调度期" in out.getvalue()


def test_the_office_is_told_and_confirms_and_january_opens(year_2022, client_for, office):
    with at_local("2023-01-01 00:10"):
        tick()
    client = client_for(office)
    with at_local("2023-01-02 09:00"):
        home = client.get(reverse("home")).content.decode()
        assert "2023年重点任务清单草稿待确认" in home
        tasks = client.get(reverse("dispatch:tasks") + "?year=2023").content.decode()
        assert "确认清单并打开调度期" in tasks and "快递驿站全覆盖" in tasks
        response = client.post(reverse("dispatch:plan_confirm", args=[2023]))
        assert response.status_code == 302
        assert not Plan.objects.get(year=2023).is_draft
        assert Period.objects.filter(month=datetime.date(2023, 1, 1)).exists()
        tick()
    assert Notice.objects.filter(kind="opened", period__month=datetime.date(2023, 1, 1)).count() == 3
    assert Task.objects.filter(plan__year=2022).count() == 3  # the old year untouched


def test_a_unit_does_not_see_the_draft_and_cannot_confirm_it(year_2022, client_for):
    with at_local("2023-01-01 00:10"):
        tick()
    client = client_for(make_user("jt", role="member_unit", member_unit="交通运输局"))
    with at_local("2023-01-02 09:00"):
        page = client.get(reverse("dispatch:tasks") + "?year=2023").content.decode()
        assert "草稿" not in page and "快递驿站全覆盖" not in page
        assert client.post(reverse("dispatch:plan_confirm", args=[2023])).status_code == 403
    assert Plan.objects.get(year=2023).is_draft


def test_no_plan_last_year_drafts_nothing(city):
    with at_local("2023-01-01 00:10"):
        result = tick()
    assert result["draft_plan"] is None and not Plan.objects.exists()
