"""Faults under `liangxin serve` on PostgreSQL: a gunicorn worker killed mid-request is replaced
by the master and the next request succeeds; a PostgreSQL backend ended under a request
(pg_terminate_backend) gives that request 系统繁忙 (503), never a 500, and the next one succeeds;
a kept connection ended between requests is replaced unseen (CONN_HEALTH_CHECKS)."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import psycopg
import pytest

from tests.production import pgsite
from tests.production.pgsite import SERVER
from tests.production.webclient import Browser

PAGE = "/dispatch/mine/"  # 本月填报

MAKE_CLERK = """
import datetime
from liangxin.core.models import MemberUnit
from liangxin.dispatch.models import Period, Plan, Task, TaskUnit
from tests.factories import make_user
make_user("jt_clerk", role="member_unit", member_unit="交通运输局")
plan = Plan.objects.create(year=2022)
Period.objects.create(plan=plan, month=datetime.date(2022, 5, 1))
units = [MemberUnit.objects.create(name=f"并发单位{i}", sort=900 + i) for i in range(8)]
task = Task.objects.create(plan=plan, code="1", category="三重", title="并发报送任务", lead=units[0],
                           start=datetime.date(2022, 1, 1), deadline=None)
for i, unit in enumerate(units):
    TaskUnit.objects.create(task=task, unit=unit, is_lead=i == 0)
    make_user(f"bf_{i}", role="member_unit", member_unit=unit.name)
"""


@pytest.fixture(scope="module")
def database():
    with pgsite.databases() as (name,):
        yield name


@pytest.fixture(scope="module")
def site(database, tmp_path_factory):
    env = pgsite.environment(tmp_path_factory.mktemp("served") / "var", database)
    pgsite.prepare(env, MAKE_CLERK)
    return env


@pytest.fixture
def served(site, tmp_path):
    with pgsite.serve(site, tmp_path / "serve.log") as served:
        yield served


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def _clerk(base: str) -> Browser:
    from tests.factories import PASSWORD

    browser = Browser(base)
    browser.login("jt_clerk", PASSWORD)
    assert "本月填报" in browser.get(PAGE).text
    return browser


def _blocked_backend(database: str, admin, timeout: float = 30.0) -> int:
    """The pid of the site's backend waiting on the lock the test holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'", (database,)
        ).fetchone()
        if row:
            return row[0]
        time.sleep(0.1)
    raise AssertionError("the request never reached the database")


class _InFlight(threading.Thread):
    """A request sent in the background: its page, or the error the client met."""

    def __init__(self, browser: Browser, path: str):
        super().__init__(daemon=True)
        self.browser, self.path, self.page, self.error = browser, path, None, None
        self.start()

    def run(self):
        try:
            self.page = self.browser.get(self.path)
        except OSError as exc:
            self.error = exc


def _hold_lock(database: str):
    """A transaction of the test's own that keeps every read of the session table waiting."""
    conn = psycopg.connect(f"{SERVER}/{database}")
    conn.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
    return conn


def test_a_worker_killed_mid_request_is_replaced_and_the_next_request_succeeds(served, database):
    base, master = served
    browser = _clerk(base)
    (worker,) = _workers(master.pid)
    lock = _hold_lock(database)
    with pgsite.admin() as admin:
        request = _InFlight(browser, PAGE)
        _blocked_backend(database, admin)  # the worker is inside the request now
        os.kill(worker, signal.SIGKILL)
        request.join(timeout=30)
        lock.rollback()
        lock.close()
    assert request.page is None and request.error is not None  # that request died with its worker
    deadline = time.monotonic() + 60
    while not (_workers(master.pid) and _workers(master.pid)[0] != worker):
        assert time.monotonic() < deadline, "gunicorn never replaced the killed worker"
        time.sleep(0.2)
    page = browser.get(PAGE)  # the same session, a new worker
    assert page.status == 200 and "本月填报" in page.text
    assert master.poll() is None


def test_a_backend_ended_under_a_request_gives_a_busy_page_then_the_next_request_succeeds(served, database):
    base, master = served
    browser = _clerk(base)
    lock = _hold_lock(database)
    with pgsite.admin() as admin:
        request = _InFlight(browser, PAGE)
        victim = _blocked_backend(database, admin)
        admin.execute("SELECT pg_terminate_backend(%s)", (victim,))
        request.join(timeout=30)
    lock.rollback()
    lock.close()
    assert request.error is None, request.error
    assert request.page.status == 503 and "系统繁忙" in request.page.text
    page = browser.get(PAGE)
    assert page.status == 200 and "本月填报" in page.text
    assert master.poll() is None


def test_a_kept_connection_ended_between_requests_is_replaced_unseen(served, database):
    base, _ = served
    browser = _clerk(base)  # the worker now keeps a connection (CONN_MAX_AGE)
    with pgsite.admin() as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchone()[0]
    assert ended >= 1
    page = browser.get(PAGE)
    assert page.status == 200 and "本月填报" in page.text


@pytest.fixture
def served_wide(site, tmp_path):
    """Eight requests at once: four workers of two threads."""
    with pgsite.serve(
        site | {"LIANGXIN_WORKERS": "4", "LIANGXIN_THREADS": "2"}, tmp_path / "serve.log"
    ) as served:
        yield served


def test_units_submitting_one_task_at_the_same_moment_all_succeed(served_wide, database):
    """Eight units of one task submit at the same moment, four of them from a saved draft (the
    month-end burst in small): no 503 and no deadlock, every report stored once. (Locking the
    task and period rows with the report's made these deadlock; now a save locks its own row.)"""
    import re

    from tests.factories import PASSWORD

    base, _ = served_wide
    browsers = []
    for i in range(8):
        browser = Browser(base)
        browser.login(f"bf_{i}", PASSWORD)
        browsers.append(browser)
    task_url = re.search(
        r'href="(/dispatch/mine/2022-05/\d+/)"', browsers[0].get(PAGE + "?period=2022-05").text
    )[1]
    data = {"status": "on_track", "percent": 50, "progress": "并发", "problems": "", "next_steps": ""}

    def version(browser) -> str:
        return re.search(r'name="version" value="([^"]*)"', browser.get(task_url).text)[1]

    for browser in browsers[:4]:
        assert browser.post(task_url, data | {"version": version(browser), "action": "save"}).status == 302
    gate = threading.Barrier(len(browsers))
    results = [None] * len(browsers)

    def submit(i):
        opened = version(browsers[i])
        gate.wait(timeout=60)
        results[i] = browsers[i].post(task_url, data | {"version": opened, "action": "submit"}).status

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == [302] * len(browsers)
    with psycopg.connect(f"{SERVER}/{database}") as conn:
        states = conn.execute(
            "SELECT r.state, count(*) FROM dispatch_report r JOIN core_memberunit u ON u.id = r.unit_id "
            "WHERE u.name LIKE '并发单位%%' GROUP BY r.state"
        ).fetchall()
    assert states == [("submitted", 8)]
