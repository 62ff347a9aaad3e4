"""Deviations found in review: what a non-office user sees of the city, office-only changes,
bad parameters, reminders in a locked period."""

import datetime
import json
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from liangxin.dispatch.models import Notice, Period, PeriodUnlock, Plan, Task
from tests.dispatch.factories import make_period, make_task, submit, unit
from tests.factories import make_user

D = datetime.date


@pytest.fixture
def may(city):
    return make_period("2022-05")


@pytest.fixture
def jiaotong(city):
    return make_user("jt", role="member_unit", member_unit="交通运输局")


def _stat(page: str, label: str) -> str:
    m = re.search(rf'<div class="stat-label">{label}</div><div class="stat-value">([^<]*)<', page)
    assert m, label
    return m[1].strip()


def test_a_unit_sees_the_figures_of_its_own_tasks_not_the_citys(may, office, jiaotong, client):
    ours = make_task("1", title="成立物流行业党委", units=("邮政管理局",), deadline=None)
    make_task("2", title="摸清社会组织底数", lead="民政局", units=("司法局", "工商联"), deadline=None)
    submit(ours, "交通运输局", may, when="2022-05-10")
    url = reverse("dispatch:board") + "?period=2022-05&as_of=2022-05-31"
    client.force_login(office)
    assert _stat(client.get(url).content.decode(), "应报") == "5"
    client.force_login(jiaotong)
    page = client.get(url).content.decode()
    assert _stat(page, "应报") == "2"
    assert _stat(page, "已报 · 报送率") == "1 · 50.0%"


def test_a_unit_gets_links_to_its_own_reports_only(may, jiaotong, client):
    task = make_task("1", title="成立物流行业党委", units=("邮政管理局",), deadline=None)
    own = submit(task, "交通运输局", may, when="2022-05-10")
    other = submit(task, "邮政管理局", may, when="2022-05-10")
    client.force_login(jiaotong)
    page = client.get(reverse("dispatch:board") + "?period=2022-05").content.decode()
    assert reverse("dispatch:report_detail", args=[own.pk]) in page
    assert reverse("dispatch:report_detail", args=[other.pk]) not in page
    assert page.count('data-light="green"') == 2  # the other unit's light is still shown


@pytest.mark.parametrize("role", ["member_unit", "county"])
def test_office_only_changes_are_refused_to_other_roles_and_change_nothing(may, role, client):
    task = make_task("1", deadline=None)
    user = (
        make_user("u", role="member_unit", member_unit="交通运输局")
        if role == "member_unit"
        else make_user("u", role="county", region="360802")
    )
    client.force_login(user)
    posts = {
        reverse("dispatch:period_update", args=[may.pk]): {"due_day": 10, "locked": "on"},
        reverse("dispatch:period_unlock", args=[may.pk]): {"unit": unit("交通运输局").pk},
        reverse("dispatch:chase_remind"): {"period": "2022-05"},
        reverse("dispatch:task_create") + "?year=2022": {"code": "9", "title": "新任务"},
        reverse("dispatch:task_edit", args=[task.pk]): {"code": "1", "title": "改名"},
        reverse("dispatch:plan_settings", args=[2022]): {"lag_points": 0},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    for name in ("dispatch:task_create", "dispatch:periods", "dispatch:review"):
        assert client.get(reverse(name)).status_code == 403, name
    may.refresh_from_db()
    assert (may.due_day, may.locked) == (25, False)
    assert not PeriodUnlock.objects.exists() and not Notice.objects.exists()
    assert list(Task.objects.values_list("title", flat=True)) == ["重点任务1"]
    assert Plan.objects.get(year=2022).lag_points == 20


def test_one_click_reminding_returns_to_the_chase_page_of_the_period(may, office, client):
    make_task("1", deadline=None)
    client.force_login(office)
    response = client.post(reverse("dispatch:chase_remind"), {"period": "2022-05"})
    assert response.url == reverse("dispatch:chase") + "?period=2022-05"


def test_a_wrong_year_or_period_in_the_address_is_a_404_not_an_error(city, office, client):
    client.force_login(office)
    for url in (
        reverse("dispatch:task_create") + "?year=99999",
        reverse("dispatch:task_create") + "?year=abc",
        reverse("dispatch:board") + "?period=2022-13",
        reverse("dispatch:board_export") + "?period=xx",
    ):
        assert client.get(url).status_code == 404, url
    client.force_login(make_user("jt", role="member_unit", member_unit="交通运输局"))
    assert client.get(reverse("dispatch:report_edit", args=["2022-99", 1])).status_code == 404


def test_a_garbage_as_of_or_page_falls_back_quietly(may, office, client):
    make_task("1", deadline=None)
    client.force_login(office)
    response = client.get(reverse("dispatch:board") + "?period=2022-05&as_of=昨天&page=x&unit=abc")
    assert response.status_code == 200 and "截至 " in response.content.decode()


@time_machine.travel("2022-05-27 09:00 +0800", tick=False)
def test_an_overdue_reminder_in_a_locked_period_says_to_ask_for_unlocking(city):
    Period.objects.create(plan=make_period("2022-04").plan, month=D(2022, 5, 1), locked=True)
    make_task("1", deadline=None)
    out = StringIO()
    call_command("dispatch_tick", "--json", stdout=out)
    assert json.loads(out.getvalue())["queued"] == 2
    overdue = Notice.objects.get(kind="overdue")
    assert "请联系工委办公室为本单位解锁后补报" in overdue.message


def test_a_task_that_starts_later_refuses_a_report_for_an_earlier_month(may, jiaotong, client):
    task = make_task("1", title="下半年示范点建设", start=D(2022, 7, 1), deadline=None)
    client.force_login(jiaotong)
    data = {"status": "on_track", "percent": 10, "progress": "x", "problems": "", "next_steps": ""}
    page = client.post(
        reverse("dispatch:report_edit", args=["2022-05", task.pk]), data | {"action": "submit"}
    )
    assert "自 2022年07月01日 开始，2022年5月无需报送" in page.content.decode()
    assert "下半年示范点建设" not in client.get(reverse("dispatch:mine") + "?period=2022-05").content.decode()


@time_machine.travel("2022-05-27 09:00 +0800", tick=False)
def test_dispatch_tick_in_a_terminal_shows_its_steps_and_under_json_only_the_json(city):
    from tests.terminal import full_bar, in_a_terminal

    Period.objects.create(plan=make_period("2022-04").plan, month=D(2022, 5, 1))
    make_task("1", deadline=None)
    text = in_a_terminal("dispatch_tick")
    assert "已处理 0 / 4 步（0%）" in text
    assert full_bar(text).startswith(f"[{'#' * 30}] 已完成 4 步（100%）")
    assert "\n调度期 2022-05：新生成提醒 2 条" in text.replace("\r\n", "\n")
    quiet = in_a_terminal("dispatch_tick", "--json")
    assert "[" not in quiet.split("{")[0] and json.loads(quiet)["queued"] == 0
