"""The dispatch through the API, role by role: a task of 泰和县委组织部 is read (task list, task
detail, the month's status) and reported on (POST /reports/) only by the roles the dispatch
pages allow; everyone else gets nothing of it, and "not yours" answers exactly like "not there"."""

import datetime

import pytest
import time_machine
from django.test import Client

from liangxin.dispatch.models import Report
from tests.dispatch.factories import make_period, make_task
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

MARKER = "泰和县接口调度任务"
STATUS = "/api/v1/dispatch/status?period=2026-11&as_of=2026-11-20"

# Written out by hand (README “Jurisdiction and personal data”), not computed from restrict.
READS = {"office", "taihe"}
REPORTS = {"taihe"}  # the task's reporting unit: 泰和县委组织部, for which the county account acts
ROLE_REFUSED = {"zdy"}  # 党建指导员: the dispatch pages are not theirs at all


@pytest.fixture
def accounts(city):
    return {
        "office": make_user("office", role="office"),
        "taihe": make_user("taihe", role="county", region="360826"),
        "jizhou": make_user("jizhou", role="county", region="360802"),
        "shangwu": make_user("shangwu", role="member_unit", member_unit="商务局"),
        "jiaotong": make_user("jiaotong", role="member_unit", member_unit="交通运输局"),
        "zdy": make_user("zdy", role="instructor", region="360826"),
    }


@pytest.fixture
def task(city):
    task = make_task(
        "1",
        lead="泰和县委组织部",
        title=MARKER,
        start=datetime.date(2026, 1, 1),
        deadline=datetime.date(2026, 12, 31),
    )
    make_period("2026-11")
    return task


@pytest.fixture
def clients(accounts, make_token):
    return {
        role: Client(HTTP_AUTHORIZATION=f"Bearer {make_token(user)[1]}") for role, user in accounts.items()
    }


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("role", ["office", "taihe", "jizhou", "shangwu", "jiaotong", "zdy"])
def test_each_role_reads_the_task_exactly_when_the_rule_says(role, task, clients):
    api = clients[role]
    listed, detail, status = api.get("/api/v1/tasks/"), api.get(f"/api/v1/tasks/{task.pk}"), api.get(STATUS)
    if role in READS:
        assert listed.status_code == detail.status_code == status.status_code == 200
        assert MARKER in _text(listed) and MARKER in _text(status)
        assert detail.json()["units"] == [{"unit": "泰和县委组织部", "is_lead": True}]
        return
    for response in (listed, detail, status):
        assert MARKER not in _text(response) and "泰和县委组织部" not in _text(response)
    if role in ROLE_REFUSED:
        assert listed.status_code == detail.status_code == status.status_code == 403
        assert listed["Content-Type"] == "application/problem+json"
        assert "角色无权" in listed.json()["detail"]
        return
    assert listed.status_code == status.status_code == 200
    assert listed.json() == {"items": [], "next_cursor": None}
    assert status.json()["tasks"] == [] and status.json()["units"] == []
    missing = api.get("/api/v1/tasks/999999")
    assert detail.status_code == missing.status_code == 404
    assert detail.json() == missing.json()  # “not yours” reads exactly as “not there”


@time_machine.travel("2026-11-20 10:00 +0800", tick=False)
@pytest.mark.parametrize("role", ["office", "taihe", "jizhou", "shangwu", "jiaotong", "zdy"])
def test_each_role_reports_on_the_task_exactly_when_the_rule_says(role, task, clients):
    body = {
        "period": "2026-11",
        "task_id": task.pk,
        "status": "on_track",
        "percent": 30,
        "progress": "推进中",
    }
    response = clients[role].post("/api/v1/reports/", body, content_type="application/json")
    if role in REPORTS:
        assert response.status_code == 200, response.content
        assert Report.objects.get(task=task).unit.name == "泰和县委组织部"
        return
    assert response.status_code in (403, 404), (role, response.status_code)
    assert not Report.objects.exists()
    if response.status_code == 404:
        missing = clients[role].post(
            "/api/v1/reports/", {**body, "task_id": 999999}, content_type="application/json"
        )
        assert missing.status_code == 404 and missing.json() == response.json()


@time_machine.travel("2026-11-20 10:00 +0800", tick=False)
def test_a_read_only_token_of_the_reporting_unit_cannot_report(task, accounts, token_client):
    body = {"period": "2026-11", "task_id": task.pk, "status": "on_track", "percent": 30}
    response = token_client(accounts["taihe"], "read").post(
        "/api/v1/reports/", body, content_type="application/json"
    )
    assert response.status_code == 403 and "只读" in response.json()["detail"]
    assert not Report.objects.exists()


def test_a_missing_period_is_a_chinese_404(task, clients):
    response = clients["taihe"].get("/api/v1/dispatch/status", {"period": "2031-01"})
    assert response.status_code == 404 and "2031-01" in response.json()["detail"]


class TestTasksAndStatusAreScopedLikeTheBoard(OutsiderGetsNothing):
    """The shared outsider suite over the dispatch endpoints (a 泰和县 row, a 吉州区 outsider)."""

    @pytest.fixture
    def scope_case(self, task, accounts, read_client_for):
        return ScopeCase(
            obj=task,
            insider=accounts["taihe"],
            outsider=accounts["jizhou"],
            marker=MARKER,
            detail_urls=[f"/api/v1/tasks/{task.pk}"],
            list_urls=["/api/v1/tasks/", "/api/v1/tasks/?year=2026", STATUS],
            client_factory=read_client_for,
        )


def test_the_task_list_is_walked_page_by_page_to_the_last_task(city, accounts, clients):
    """Every task of the plans, in the list's order (year, then number), none twice and none
    left out, whatever the page size; a year takes one plan."""
    for code in ("1", "2", "3", "10", "11"):
        make_task(code, lead="泰和县委组织部", start=datetime.date(2026, 1, 1))
    for code in ("1", "2"):
        make_task(code, lead="泰和县委组织部", start=datetime.date(2025, 1, 1))
    api = clients["office"]
    seen, url, pages = [], "/api/v1/tasks/?limit=2", 0
    while url:
        body = api.get(url).json()
        seen += [(t["year"], t["code"]) for t in body["items"]]
        pages += 1
        url = f"/api/v1/tasks/?limit=2&cursor={body['next_cursor']}" if body["next_cursor"] else None
    assert pages == 4
    assert seen == [
        (2025, "1"),
        (2025, "2"),
        (2026, "1"),
        (2026, "2"),
        (2026, "3"),
        (2026, "10"),
        (2026, "11"),
    ]
    one_plan = api.get("/api/v1/tasks/?year=2025&limit=500").json()
    assert [t["code"] for t in one_plan["items"]] == ["1", "2"] and one_plan["next_cursor"] is None
    bad = api.get("/api/v1/tasks/?cursor=not-a-cursor")
    assert bad.status_code == 400 and "游标无效" in bad.json()["detail"]
