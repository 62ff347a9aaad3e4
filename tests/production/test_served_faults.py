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
from tests.factories import make_user
make_user("jt_clerk", role="member_unit", member_unit="交通运输局")
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
