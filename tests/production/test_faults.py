"""Faults: `kill -9` of the task worker in the middle of an import. The job is marked failed
with a message when the worker starts again (nothing half-written), and the next job runs."""

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.registry.factories import credit_code

ROOT = Path(__file__).parents[2]
LIANGXIN = str(Path(sys.executable).with_name("liangxin"))

QUEUE_IMPORT = """
import os, shutil, uuid
from liangxin.core.jobs import run_import_job, upload_dir
from liangxin.core.models import ImportJob
from tests.factories import make_user
from liangxin.accounts.models import User
user = User.objects.filter(username="office1").first() or make_user("office1", role="office")
stored = uuid.uuid4().hex + ".csv"
shutil.copy(os.environ["QUEUE_FILE"], upload_dir() / stored)
job = ImportJob.objects.create(user=user, filename="台账.csv", stored=stored, committing=True)
run_import_job.enqueue(job.pk)
print(job.pk)
"""


def _csv(path: Path, count: int, first: int = 1) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["统一社会信用代码", "组织名称", "区县", "乡镇（街道）", "成立日期", "正式党员数"])
        for i in range(first, first + count):
            writer.writerow(
                [
                    credit_code(serial=i),
                    f"吉安市故障{i}号有限公司",
                    "吉州区",
                    "习溪桥街道",
                    "2019-03-05",
                    i % 4,
                ]
            )
    return path


@pytest.fixture
def site(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "LIANGXIN_", "DJANGO_"))}
    env.update(
        LIANGXIN_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite:///{var / 'db.sqlite3'}",
        LIANGXIN_TASKS="database",
        PYTHONPATH=str(ROOT),
    )
    for command in (["migrate", "--noinput", "-v", "0"], ["setup", "--city", "360800", "-v", "0"]):
        subprocess.run([LIANGXIN, *command], env=env, check=True, timeout=600, capture_output=True)
    return env, var / "db.sqlite3"


def _queue(env, csv_path: Path) -> int:
    out = subprocess.run(
        [LIANGXIN, "shell", "-c", QUEUE_IMPORT],
        env={**env, "QUEUE_FILE": str(csv_path)}, check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return int(out.stdout.strip().splitlines()[-1])


def _job(db: Path, pk: int) -> tuple[str, str]:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute("SELECT status, error FROM core_importjob WHERE id = ?", (pk,)).fetchone()


def _organizations(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute("SELECT count(*) FROM registry_organization").fetchone()[0]


def test_a_worker_killed_mid_import_leaves_the_job_failed_with_a_message_and_nothing_written(site, tmp_path):
    env, db = site
    big = _queue(env, _csv(tmp_path / "大.csv", 120_000))
    worker = subprocess.Popen(
        [LIANGXIN, "worker", "--no-reload", "--no-startup-delay", "-v", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while _job(db, big)[0] != "running":
            assert time.monotonic() < deadline, "the worker never started the job"
            assert worker.poll() is None
            time.sleep(0.2)
        time.sleep(1.0)  # well into reading the file
        assert _job(db, big)[0] == "running"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert _job(db, big)[0] == "running"  # what the killed process left

    small = _queue(env, _csv(tmp_path / "小.csv", 3, first=900_001))
    restarted = subprocess.run(
        [LIANGXIN, "worker", "--batch", "--no-reload", "--no-startup-delay"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert restarted.returncode == 0, restarted.stderr
    assert "已将 1 个因后台进程意外退出而中断的导入任务标记为失败" in restarted.stdout
    status, error = _job(db, big)
    assert status == "failed" and "导入中断" in error and "没有写入任何数据" in error
    assert _job(db, small)[0] == "done"  # the next job runs
    assert _organizations(db) == 3  # only the small file's rows: nothing of the killed import
    check = subprocess.run([LIANGXIN, "audit_verify"], env=env, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
