"""Background import jobs (django-tasks: the database backend and `liangxin db_worker` in
production, the immediate backend in tests). Progress goes to a small file next to the upload,
not to the database, because the import's own transaction holds the write lock until it ends."""

from __future__ import annotations

import datetime
import json
import os
import socket
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from liangxin.core import audit
from liangxin.core.exporting import write_rejected_rows
from liangxin.core.import_progress import Progress, estimate_rows
from liangxin.core.importing import ImportContext, ImportFailed, run_import
from liangxin.core.models import AuditLog, ImportJob


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def progress_path(job: ImportJob) -> Path:
    return upload_dir() / f"{job.stored}.progress"


def errors_path(job: ImportJob) -> Path:
    return upload_dir() / f"{job.stored}.errors.xlsx"


def read_progress(job: ImportJob) -> Progress:
    try:
        return Progress.from_dict(json.loads(progress_path(job).read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return Progress()


EXPIRED = "预览已过期（上传超过 {days} 天未确认），文件已删除，请重新上传"


def clean_stale_uploads() -> int:
    """Uploads left waiting (a preview nobody confirmed, a failed file) are deleted after
    LIANGXIN_IMPORT_KEEP_DAYS; their jobs say so. Returns how many were removed."""
    days = settings.LIANGXIN_IMPORT_KEEP_DAYS
    cutoff = timezone.now() - datetime.timedelta(days=days)
    stale = ImportJob.objects.filter(
        status__in=[ImportJob.Status.PREVIEWED, ImportJob.Status.FAILED], updated_at__lt=cutoff
    ).exclude(stored="")
    removed = 0
    for job in stale:
        for path in (upload_dir() / job.stored, progress_path(job), errors_path(job)):
            path.unlink(missing_ok=True)
        if job.status == ImportJob.Status.PREVIEWED:
            job.status, job.error = ImportJob.Status.FAILED, EXPIRED.format(days=days)
        job.stored, job.has_error_rows = "", False
        job.save(update_fields=["status", "error", "stored", "has_error_rows", "updated_at"])
        removed += 1
    return removed


INTERRUPTED = (
    "导入中断：处理该文件的后台进程意外退出（可能是文件异常或服务器资源不足），本次没有写入任何数据。"
    "请检查文件后重新上传；如再次中断，请联系系统管理员"
)


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux /proc), to tell a pid reused
    by a new process from the one that ran the job; "" where there is no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def worker_identity(pid: int | None = None) -> str:
    """ "host:pid:start" of this process (or of ``pid`` on this host)."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def worker_gone(identity: str) -> bool:
    """True when the process named by ``identity`` no longer runs. A process on another host
    cannot be seen from here: that is not known to be gone (False)."""
    host, _, rest = identity.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # someone else's process with that pid: alive, and not ours to judge
    return bool(start) and _start_time(pid) != start


def fail_orphaned_jobs(jobs: Iterable[ImportJob] | None = None) -> int:
    """Mark failed each running job whose process is gone (the worker was killed, or the file
    made it abort): called when `liangxin db_worker` starts and when a job's page is polled.
    Returns how many were marked."""
    running = ImportJob.objects.filter(status=ImportJob.Status.RUNNING) if jobs is None else jobs
    marked = 0
    for job in running:
        if job.status != ImportJob.Status.RUNNING or not job.worker or not worker_gone(job.worker):
            continue
        with transaction.atomic():
            updated = ImportJob.objects.filter(
                pk=job.pk, status=ImportJob.Status.RUNNING, worker=job.worker
            ).update(status=ImportJob.Status.FAILED, error=INTERRUPTED, updated_at=timezone.now())
            if updated:
                audit.record(
                    "core.import.interrupted",
                    actor=job.user,
                    obj=job,
                    source=AuditLog.Source.SYSTEM,
                    source_detail=job.filename,
                    result=AuditLog.Result.FAILURE,
                    message=f"处理进程 {job.worker} 已不存在",
                )
        if updated:
            job.status, job.error = ImportJob.Status.FAILED, INTERRUPTED
            marked += 1
    return marked


@task()
def run_import_job(job_id: int) -> None:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    job.worker = worker_identity()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, worker=job.worker)
    marker = progress_path(job)
    started = time.monotonic()

    def progress(rows: int) -> None:
        marker.write_text(json.dumps(Progress(rows, ctx.rows_total, time.monotonic() - started).as_dict()))

    ctx = ImportContext(
        actor=job.user,
        filename=job.filename,
        source="page",
        dry_run=not job.committing,
        progress=progress,
        rows_total=estimate_rows(upload_dir() / job.stored, job.filename),
    )
    try:
        report = run_import(upload_dir() / job.stored, ctx)
    except ImportFailed as exc:
        job.status, job.error = ImportJob.Status.FAILED, exc.message
    except Exception as exc:  # a bug must not leave the job “running” forever
        job.status, job.error = (
            ImportJob.Status.FAILED,
            f"导入过程中出现系统错误，数据未被修改（{type(exc).__name__}）",
        )
        job.save(update_fields=["status", "error", "updated_at"])
        raise
    else:
        marker.write_text(
            json.dumps(
                Progress(ctx.rows_read, ctx.rows_total, time.monotonic() - started, done=True).as_dict()
            )
        )
        job.report = report.summary()
        job.has_error_rows = write_rejected_rows(str(errors_path(job)), report)
        job.status = ImportJob.Status.DONE if job.committing else ImportJob.Status.PREVIEWED
        if job.committing:
            (upload_dir() / job.stored).unlink(missing_ok=True)
    job.save(update_fields=["status", "error", "report", "has_error_rows", "updated_at"])
