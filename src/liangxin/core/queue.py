"""What the task queue holds for a task (django-tasks with the database backend, served by
`liangxin db_worker`): shared by the jobs that schedule themselves (the dispatch tick, the
cockpit's warm-up)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone


def keeps_jobs(task) -> bool:
    """Whether the configured backend keeps jobs, deferred ones too, for a worker (the database
    one); the immediate backend runs them inside the caller."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task.get_backend(), DatabaseBackend)


def waiting(task) -> QuerySet:
    """Jobs of `task` in the configured backend's queue, not yet started."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY, backend_name=task.get_backend().alias
    )


def due() -> Q:
    """Of the waiting jobs, those that may run now (the backend stores “no run_after” as its
    largest date)."""
    from django_tasks_db.models import get_date_max

    return Q(run_after=get_date_max()) | Q(run_after__lte=timezone.now())
