"""`dispatch_tick` from the task worker: scheduled once, re-enqueued by itself, never doubled."""

import datetime
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from liangxin.dispatch import jobs, reminders
from liangxin.dispatch.models import Notice, Period
from tests.dispatch.factories import make_plan, make_task

SENT: list[str] = []


def fake_gateway(notice):
    SENT.append(f"{notice.unit.name}:{notice.kind}")
    return "ok"


@pytest.fixture(autouse=True)
def database_tasks(settings):
    """The production backend: jobs wait in the database for `liangxin db_worker`."""
    SENT.clear()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LIANGXIN_NOTIFY_GATEWAY = "tests.dispatch.test_tick_job.fake_gateway"


def _schedule(*args) -> dict:
    out = StringIO()
    call_command("dispatch_tick", "--schedule", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def _waiting():
    return DBTaskResult.objects.filter(task_path=jobs.dispatch_tick_job.module_path, status="READY")


def _worker(monkeypatch) -> None:
    """Run every job that is due, as `liangxin db_worker` does, then stop. (The worker closes
    "old" connections between jobs; inside the test's transaction that would close the test's
    own connection on PostgreSQL, so that housekeeping is switched off here.)"""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@time_machine.travel("2022-05-01 08:00 +0800", tick=False)
def test_scheduling_twice_leaves_one_pending_tick(city):
    first = _schedule()
    second = _schedule()
    assert first["scheduled"] is True and second["scheduled"] is False
    assert second["id"] == first["id"]
    assert _waiting().count() == 1
    text = StringIO()
    call_command("dispatch_tick", "--schedule", stdout=text)
    assert "已有待运行的月调度定时任务" in text.getvalue()
    assert _waiting().count() == 1


@time_machine.travel("2022-05-01 08:00 +0800", tick=False)
def test_the_worker_runs_the_tick_and_it_queues_the_next_one_a_few_minutes_later(city, monkeypatch):
    make_plan(2022)
    make_task("1", units=("邮政管理局",), deadline=None)
    _schedule("--every", "10")
    _worker(monkeypatch)
    assert Period.objects.get().key == "2022-05"  # the tick ran: it opened the month…
    assert sorted(SENT) == ["交通运输局:opened", "邮政管理局:opened"]  # …and sent the reminders
    done = DBTaskResult.objects.get(status=TaskResultStatus.SUCCESSFUL)
    assert done.return_value == {
        "period": "2022-05",
        "opened": True,
        "queued": 2,
        "sent": 2,
        "draft_plan": None,
        "carried": 0,
    }
    waiting = _waiting().get()
    assert waiting.run_after == timezone.now() + datetime.timedelta(minutes=10)
    assert waiting.args_kwargs["kwargs"] == {"every_minutes": 10}
    _worker(monkeypatch)  # not due yet: nothing runs
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 1


def test_the_job_run_twice_sends_each_reminder_once_and_keeps_one_tick_waiting(city):
    make_plan(2022)
    make_task("1", units=("邮政管理局",), deadline=None)
    with time_machine.travel("2022-05-01 08:00 +0800", tick=False):
        jobs.dispatch_tick_job.call()
    with time_machine.travel("2022-05-01 08:05 +0800", tick=False):
        again = jobs.dispatch_tick_job.call()
    assert again == {
        "period": "2022-05",
        "opened": False,
        "queued": 0,
        "sent": 0,
        "draft_plan": None,
        "carried": 0,
    }
    assert sorted(SENT) == ["交通运输局:opened", "邮政管理局:opened"]
    assert Notice.objects.count() == 2
    assert _waiting().count() == 1


def test_a_failing_tick_still_queues_the_next_one(city, monkeypatch):
    def broken(today):
        raise RuntimeError("数据库暂时不可用")

    monkeypatch.setattr(reminders, "tick", broken)
    with pytest.raises(RuntimeError):
        jobs.dispatch_tick_job.call()
    assert _waiting().count() == 1


def test_a_wrong_interval_is_refused_in_chinese(city):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="运行间隔“0”分钟应在 1 到 1440 之间"):
        _schedule("--every", "0")
    assert not _waiting().exists()


@time_machine.travel("2022-05-01 08:00 +0800", tick=False)
def test_without_a_worker_backend_schedule_runs_once_and_says_how_to_schedule(city, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    make_plan(2022)
    make_task("1", deadline=None)
    out, err = StringIO(), StringIO()
    call_command("dispatch_tick", "--schedule", stdout=out, stderr=err)
    assert "不保存定时任务" in err.getvalue() and "cron" in err.getvalue()
    assert "调度期 2022-05（新打开）" in out.getvalue()
    assert SENT == ["交通运输局:opened"]
