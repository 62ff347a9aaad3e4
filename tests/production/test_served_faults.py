"""Faults under `liangxin serve` on PostgreSQL: a gunicorn worker killed mid-request is replaced
by the master and the next request succeeds; a PostgreSQL backend ended under a request
(pg_terminate_backend) gives that request 系统繁忙 (503), never a 500, and the next one succeeds;
a kept connection ended between requests is replaced unseen (CONN_HEALTH_CHECKS)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.production.webclient import Browser, wait_until_up

ROOT = Path(__file__).parents[2]
LIANGXIN = str(Path(sys.executable).with_name("liangxin"))
SERVER = os.environ.get("LIANGXIN_FAULT_PG", "postgres://postgres@127.0.0.1:5432")
PAGE = "/dispatch/mine/"  # 本月填报

MAKE_CLERK = """
from tests.factories import make_user
make_user("jt_clerk", role="member_unit", member_unit="交通运输局")
"""


def _admin():
    try:
        return psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip(f"PostgreSQL {SERVER} 无响应：跳过服务进程故障测试")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def database():
    name = f"lx_fault_{uuid.uuid4().hex[:8]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def site(database, tmp_path_factory):
    var = tmp_path_factory.mktemp("served") / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "LIANGXIN_", "DJANGO_"))}
    env.update(LIANGXIN_VAR_DIR=str(var), DATABASE_URL=f"{SERVER}/{database}", PYTHONPATH=str(ROOT),
               LIANGXIN_WORKERS="1", LIANGXIN_ACCESS_LOG="", LIANGXIN_TASKS="immediate")  # fmt: skip
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["setup", "--city", "360800", "-v", "0"],
        ["collectstatic", "--noinput", "-v", "0"],
        ["shell", "-c", MAKE_CLERK],
    ):
        subprocess.run([LIANGXIN, *command], env=env, check=True, timeout=600, capture_output=True)
    return env


@pytest.fixture
def served(site, tmp_path):
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([LIANGXIN, "serve", "--bind", f"127.0.0.1:{port}"], env=site, stdout=log,
                               stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        log.close()


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
    with _admin() as admin:
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
    with _admin() as admin:
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
    with _admin() as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchone()[0]
    assert ended >= 1
    page = browser.get(PAGE)
    assert page.status == 200 and "本月填报" in page.text
