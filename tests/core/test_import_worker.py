"""Issue 11 part 2, the worker: a hostile file does not take `db_worker` down, and a job whose
worker died anyway (killed, out of memory) is marked failed, its page stops polling and says so."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse

from liangxin.core import jobs
from liangxin.core.models import AuditLog, ImportJob
from liangxin.registry.models import Organization
from tests.core import hostile_files as h
from tests.registry.factories import credit_code, write_workbook


@pytest.fixture
def database_tasks(settings, monkeypatch):
    """The production backend: jobs wait in the database for `liangxin db_worker`. (The worker
    closes "old" connections between jobs; inside the test's transaction that would close the
    test's own connection on PostgreSQL, so that housekeeping is switched off here.)"""
    from django_tasks_db.management.commands import db_worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def run_worker() -> None:
    """`liangxin db_worker` (our command, with its start-up check) until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def dead_worker() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return jobs.worker_identity(child.pid).rsplit(":", 1)[0] + ":1"


def upload(client, path):
    with open(path, "rb") as fh:
        return client.post(reverse("data_import"), {"file": fh})


MEASURE = """
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "liangxin", "import_data", sys.argv[1]], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print(json.dumps({"status": done.returncode, "stderr": done.stderr, "peak_mb": peak}))
"""


@pytest.mark.parametrize("build", ["xfd1048576", "ten_million_cells"])
def test_import_data_refuses_the_file_with_status_1_in_bounded_memory(tmp_path, build):
    if build == "xfd1048576":
        path = h.one_far_cell(tmp_path / "台账.xlsx", "XFD1048576")
        expected = "XFD1048576"
    else:
        path = h.dense(tmp_path / "台账.xlsx", 50_000, 200)  # 10,000,000 cells
        expected = "个单元格，超过上限 4,000,000 个"
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "LIANGXIN_VAR_DIR": str(tmp_path / "var"),
    }
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, env=env, check=True
    )
    result = json.loads(out.stdout)
    assert result["status"] == 1
    assert "工作表“两新组织”" in result["stderr"] and expected in result["stderr"]
    assert result["peak_mb"] < 500


def test_through_the_page_the_worker_survives_and_the_next_upload_works(
    database_tasks, client_for, office, tmp_path
):
    client = client_for(office)
    upload(client, h.one_far_cell(tmp_path / "恶意.xlsx"))
    good = credit_code(serial=611)
    upload(
        client, write_workbook(tmp_path / "正常.xlsx", [["统一社会信用代码", "组织名称"], [good, "正常公司"]])
    )

    run_worker()  # the reader would abort this very process if it met the far cell

    hostile, normal = ImportJob.objects.order_by("pk")
    assert hostile.status == "failed" and "XFD1048576" in hostile.error
    page = client.get(reverse("data_import_job", args=[hostile.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "XFD1048576" in page and "hx-trigger" not in page
    assert normal.status == "previewed" and normal.report["sheets"][0]["created"] == 1
    client.post(reverse("data_import_confirm", args=[normal.pk]))
    run_worker()
    assert Organization.objects.filter(credit_code=good).exists()


def test_a_job_left_running_by_a_dead_worker_is_failed_when_the_worker_starts(
    database_tasks, client_for, office
):
    job = ImportJob.objects.create(
        user=office, filename="大文件.xlsx", stored="x.xlsx", status="running", worker=dead_worker()
    )

    run_worker()

    job.refresh_from_db()
    assert job.status == "failed" and job.error == jobs.INTERRUPTED
    page = client_for(office).get(reverse("data_import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert "导入中断" in text and "hx-trigger" not in text
    log = AuditLog.objects.get(action="core.import.interrupted")
    assert log.object_id == str(job.pk) and log.result == "failure" and log.source == "system"


def test_the_page_itself_notices_a_dead_worker_and_stops_polling(client_for, office):
    job = ImportJob.objects.create(
        user=office, filename="大文件.xlsx", stored="x.xlsx", status="running", worker=dead_worker()
    )
    page = client_for(office).get(reverse("data_import_job", args=[job.pk])).content.decode()
    assert "导入中断" in page and "hx-trigger" not in page
    job.refresh_from_db()
    assert job.status == "failed"


def test_a_running_job_whose_worker_lives_keeps_running(database_tasks, client_for, office):
    job = ImportJob.objects.create(
        user=office, filename="a.xlsx", stored="x.xlsx", status="running", worker=jobs.worker_identity()
    )
    run_worker()
    page = client_for(office).get(reverse("data_import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    job.refresh_from_db()
    assert job.status == "running" and 'hx-trigger="every 1s"' in page.content.decode()


def test_a_reused_pid_is_not_taken_for_the_worker_that_died():
    host, pid, start = jobs.worker_identity().split(":")
    assert not jobs.worker_gone(f"{host}:{pid}:{start}")
    assert jobs.worker_gone(f"{host}:{pid}:{int(start) + 1}")


def test_a_worker_on_another_host_is_not_judged_from_here():
    assert socket.gethostname() != "另一台服务器"
    assert not jobs.worker_gone("另一台服务器:1:1")


def test_an_outsider_gets_nothing_of_a_failed_job(client_for, office):
    from tests.factories import make_user

    job = ImportJob.objects.create(
        user=office, filename="a.xlsx", stored="x.xlsx", status="running", worker=dead_worker()
    )
    stranger = make_user("stranger", role="office")
    assert client_for(stranger).get(reverse("data_import_job", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "running"  # the outsider's request did not touch it
