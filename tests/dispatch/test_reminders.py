import datetime
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from liangxin.dispatch import reminders
from liangxin.dispatch.models import Notice, Period
from tests.dispatch.factories import make_period, make_plan, make_task, submit
from tests.factories import make_user

SENT: list[str] = []


def fake_gateway(notice):
    SENT.append(f"{notice.unit.name}:{notice.kind}")
    return "ok"


def broken_gateway(notice):
    raise RuntimeError("短信平台不可用")


@pytest.fixture(autouse=True)
def _gateway(settings):
    SENT.clear()
    settings.LIANGXIN_NOTIFY_GATEWAY = "tests.dispatch.test_reminders.fake_gateway"


def _tick() -> dict:
    out = StringIO()
    call_command("dispatch_tick", "--json", stdout=out)
    return json.loads(out.getvalue())


@time_machine.travel("2022-05-01 08:00 +0800", tick=False)
def test_the_tick_opens_the_month_and_sends_each_reminder_once(city):
    make_plan(2022)
    make_task("1", units=("邮政管理局",), deadline=None)
    first = _tick()
    assert first == {
        "period": "2022-05",
        "opened": True,
        "queued": 2,
        "sent": 2,
        "draft_plan": None,
        "carried": 0,
    }
    assert Period.objects.get().due_date == datetime.date(2022, 5, 25)
    second = _tick()
    assert second == {
        "period": "2022-05",
        "opened": False,
        "queued": 0,
        "sent": 0,
        "draft_plan": None,
        "carried": 0,
    }
    assert sorted(SENT) == ["交通运输局:opened", "邮政管理局:opened"]


def test_it_reminds_before_the_due_day_and_after_it_only_those_still_missing(city):
    may = make_period("2022-05")
    task = make_task("1", units=("邮政管理局",), deadline=None)
    submit(task, "交通运输局", may, when="2022-05-20")
    with time_machine.travel("2022-05-22 09:00 +0800", tick=False):
        _tick()
        _tick()
    with time_machine.travel("2022-05-26 09:00 +0800", tick=False):
        _tick()
        _tick()
    kinds = sorted(SENT)
    assert kinds == ["交通运输局:opened", "邮政管理局:due_soon", "邮政管理局:opened", "邮政管理局:overdue"]


def test_a_claimed_notice_is_not_sent_again_by_a_concurrent_tick(city):
    may = make_period("2022-05")
    make_task("1", deadline=None)
    reminders._queue([reminders._notice(may, make_task("2", deadline=None).lead, "opened", "x")])
    notice = Notice.objects.get()
    Notice.objects.filter(pk=notice.pk).update(sent_at=notice.created_at)  # another worker claimed it
    assert reminders.deliver_pending() == 0
    assert SENT == []


def test_a_failing_gateway_keeps_the_in_app_notice_and_records_why(city, settings):
    settings.LIANGXIN_NOTIFY_GATEWAY = "tests.dispatch.test_reminders.broken_gateway"
    make_period("2022-05")
    make_task("1", deadline=None)
    with time_machine.travel("2022-05-02 09:00 +0800", tick=False):
        _tick()
    notice = Notice.objects.get()
    assert notice.sent_at is not None
    assert "短信平台不可用" in notice.gateway_result


def test_without_a_plan_for_the_year_the_tick_says_so(city):
    out = StringIO()
    with time_machine.travel("2030-03-01 09:00 +0800", tick=False):
        call_command("dispatch_tick", stdout=out)
    assert "尚无重点任务清单" in out.getvalue()


@time_machine.travel("2022-05-27 09:00 +0800", tick=False)
def test_one_click_reminds_every_unit_that_has_not_reported(city, office, client):
    may = make_period("2022-05")
    task = make_task("1", units=("邮政管理局", "民政局"), deadline=None)
    submit(task, "交通运输局", may, when="2022-05-20")
    client.force_login(office)
    page = client.get(reverse("dispatch:chase") + "?period=2022-05").content.decode()
    assert "一键提醒全部 2 个单位" in page
    client.post(reverse("dispatch:chase_remind"), {"period": "2022-05"})
    client.post(reverse("dispatch:chase_remind"), {"period": "2022-05"})
    assert sorted(SENT) == ["民政局:chase", "邮政管理局:chase"]
    unit_user = make_user("yz", role="member_unit", member_unit="邮政管理局")
    client.force_login(unit_user)
    assert "工委办公室催报" in client.get(reverse("dispatch:mine") + "?period=2022-05").content.decode()


def test_the_status_command_prints_the_contract(city):
    may = make_period("2022-05")
    task = make_task("2", title="成立物流行业党委", deadline=None)
    submit(task, "交通运输局", may, when="2022-05-25")
    out = StringIO()
    call_command("dispatch_status", "--period", "2022-05", "--as-of", "2022-05-31", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["totals"]["on_time"] == 1
    assert data["units"][0] == {
        "unit": "交通运输局",
        "expected": 1,
        "submitted": 1,
        "on_time": 1,
        "late": 0,
        "missing": 0,
        "rate": 1.0,
        "on_time_rate": 1.0,
        "score": 70.0,
        "rank": 1,
    }
    text = StringIO()
    call_command("dispatch_status", "--period", "2022-05", "--as-of", "2022-05-31", stdout=text)
    assert "按时 1（100.0%）" in text.getvalue()
    assert "红榜（前后五名，含并列）：第1名 交通运输局（70.0分）" in text.getvalue()
    assert "未按时报送 0 个单位" in text.getvalue()


def test_the_status_command_explains_a_wrong_period(city):
    with pytest.raises(CommandError, match="格式不对"):
        call_command("dispatch_status", "--period", "五月")
    with pytest.raises(CommandError, match="不存在"):
        call_command("dispatch_status", "--period", "2021-05")


def test_a_tick_that_stopped_after_queueing_sends_the_rest_next_time(city):
    may = make_period("2022-05")
    task = make_task("1", units=("邮政管理局",), deadline=None)
    reminders._queue([reminders._notice(may, a.unit, "opened", "x") for a in task.assignments.all()])
    assert Notice.objects.filter(sent_at__isnull=True).count() == 2  # queued, never sent
    with time_machine.travel("2022-05-02 09:00 +0800", tick=False):
        assert _tick()["sent"] == 2
        assert _tick()["sent"] == 0
    assert len(SENT) == 2


@time_machine.travel("2022-08-01 09:00 +0800", tick=False)
def test_the_status_command_shows_a_past_month_as_it_closed_by_default(city):
    make_period("2022-05")
    make_task("2", deadline=datetime.date(2022, 6, 30))
    out = StringIO()
    call_command("dispatch_status", "--period", "2022-05", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["as_of"] == "2022-05-31"
    assert data["totals"]["red"] == 0 and data["totals"]["yellow"] == 1
