"""`dispatch_tick` from the task worker: a django-tasks task that runs the tick and puts the next
one in the queue `every_minutes` later (the database backend's ``run_after``).

Scheduling is idempotent: under a lock (PostgreSQL advisory lock; an exclusive transaction on
SQLite) it enqueues a tick only when no tick is already waiting, so `liangxin dispatch_tick
--schedule` can run at every start of `make run` and the chain never doubles. A tick that fails
still queues its successor, and a chain broken by a killed worker is restarted by the next
``--schedule``. The tick itself is idempotent too (reminders are claimed once, see `reminders`).
"""

from __future__ import annotations

import datetime
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.utils import exclusive_transaction

from liangxin.core import queue
from liangxin.dispatch import reminders
from liangxin.dispatch.periods import DispatchError

EVERY_MINUTES = 5
_LOCK_KEY = zlib.crc32(b"liangxin.dispatch.tick")


@dataclass
class Scheduled:
    id: str
    run_after: datetime.datetime | None
    created: bool  # False: a tick was already waiting, nothing was added


@task()
def dispatch_tick_job(every_minutes: int = EVERY_MINUTES) -> dict:
    """Run the tick, then queue the next one (also when this one failed)."""
    try:
        return reminders.tick(timezone.localdate())
    finally:
        if can_schedule():
            schedule_tick(delay=datetime.timedelta(minutes=every_minutes), every_minutes=every_minutes)


def can_schedule() -> bool:
    """Whether the configured task backend keeps deferred jobs for a worker (the database one)."""
    return queue.keeps_jobs(dispatch_tick_job)


def pending_ticks():
    """Ticks waiting in the queue (not yet started) of the configured backend."""
    return queue.waiting(dispatch_tick_job)


@contextmanager
def _schedule_lock():
    """One scheduler at a time: two `--schedule` calls (or a tick finishing while `make run`
    starts) must not both see an empty queue and both enqueue."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            yield
    else:
        with exclusive_transaction():  # SQLite: BEGIN EXCLUSIVE (a savepoint when nested)
            yield


def schedule_tick(
    *, delay: datetime.timedelta = datetime.timedelta(0), every_minutes: int = EVERY_MINUTES
) -> Scheduled:
    """Queue a tick `delay` from now unless one is already waiting. Needs the database backend."""
    if not can_schedule():
        raise DispatchError(
            "当前任务后端不保存定时任务（LIANGXIN_TASKS=immediate），无法由任务队列定时运行；"
            "请改用数据库后端并运行 liangxin db_worker，或用 cron 每几分钟运行 liangxin dispatch_tick"
        )
    if not 1 <= every_minutes <= 1440:
        raise DispatchError(f"运行间隔“{every_minutes}”分钟应在 1 到 1440 之间")
    with _schedule_lock():
        waiting = pending_ticks().order_by("run_after").first()
        if waiting is not None:
            return Scheduled(id=str(waiting.id), run_after=waiting.run_after, created=False)
        run_after = timezone.now() + delay
        result = dispatch_tick_job.using(run_after=run_after).enqueue(every_minutes=every_minutes)
        return Scheduled(id=str(result.id), run_after=run_after, created=True)
