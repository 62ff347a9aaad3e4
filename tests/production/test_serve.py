"""`liangxin serve` is the production web server: started on a free loopback port against a
fresh SQLite database, it answers the login page and a static file (WhiteNoise)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from liangxin.core.management.commands.serve import gunicorn_options

LIANGXIN = str(Path(sys.executable).with_name("liangxin"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(var: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "LIANGXIN_", "DJANGO_"))}
    env.update(LIANGXIN_VAR_DIR=str(var), DATABASE_URL=f"sqlite:///{var / 'db.sqlite3'}", **extra)
    return env


def _get(url: str, timeout: float = 30.0) -> tuple[int, bytes, dict]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def served(tmp_path):
    env = _environment(tmp_path / "var", LIANGXIN_WORKERS="2")
    for command in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run([LIANGXIN, *command], env=env, check=True, timeout=300)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [LIANGXIN, "serve", "--bind", f"127.0.0.1:{port}"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        log.close()


def test_it_serves_the_login_page_and_a_static_file(served):
    base, process = served
    status, body, headers = _get(f"{base}/login/")
    assert status == 200, body[:500]
    page = body.decode()
    assert "登录" in page
    assert "gunicorn" in headers.get("Server", "")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
    status, css, headers = _get(base + stylesheet)
    assert status == 200 and len(css) > 100
    assert "text/css" in headers["Content-Type"]
    assert process.poll() is None  # still serving


def test_it_stops_cleanly_on_sigterm(served):
    base, process = served
    assert _get(f"{base}/login/")[0] == 200
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0


def test_binding_workers_and_timeouts_come_from_settings(settings):
    settings.LIANGXIN_BIND = "127.0.0.1:9100"
    settings.LIANGXIN_WORKERS = 7
    settings.LIANGXIN_TIMEOUT_SECONDS = 45
    options = gunicorn_options()
    assert (options["bind"], options["workers"], options["timeout"]) == ("127.0.0.1:9100", 7, 45)
    assert gunicorn_options(bind="0.0.0.0:80", workers=2)["bind"] == "0.0.0.0:80"


def test_a_bad_worker_count_stops_start_up_with_a_chinese_message(tmp_path):
    env = _environment(tmp_path / "var", LIANGXIN_WORKERS="四")
    result = subprocess.run([LIANGXIN, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "LIANGXIN_WORKERS 应为整数" in result.stderr


def test_nginx_accepts_the_applications_largest_upload(settings):
    conf = (Path(__file__).parents[2] / "deploy" / "nginx-liangxin.conf").read_text()
    limit_mb = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    assert limit_mb > settings.LIANGXIN_UPLOAD_MAX_MB  # the app, not nginx, refuses a too-large file


def test_the_worker_command_is_the_db_worker():
    from liangxin.core.management.commands import db_worker, worker

    assert issubclass(worker.Command, db_worker.Command)


def test_the_master_loads_every_view_before_the_fork_and_holds_no_database_connection(tmp_path):
    """A new worker (at start, or after max-requests) answers its first request without first
    importing the URLconf and every app's views (~0.4 s of CPU each time, measured), and shares
    no database connection with its siblings."""
    probe = (
        "import sys\n"
        "from liangxin.core.management.commands.serve import warmed_application\n"
        "from django.db import connections\n"
        "warmed_application()\n"
        "print('views' if 'liangxin.dispatch.views_reports' in sys.modules else 'cold',"
        " 'open' if any(c.connection is not None for c in connections.all()) else 'closed')\n"
    )
    env = _environment(tmp_path / "var", DJANGO_SETTINGS_MODULE="liangxin.settings")
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["views", "closed"], result.stderr
