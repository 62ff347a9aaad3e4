"""Background import jobs (django-tasks: the database backend and `liangxin db_worker` in
production, the immediate backend in tests). Progress goes to a small file next to the upload,
not to the database, because the import's own transaction holds the write lock until it ends."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from liangxin.core.exporting import write_rejected_rows
from liangxin.core.importing import ImportContext, ImportFailed, run_import
from liangxin.core.models import ImportJob


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def progress_path(job: ImportJob) -> Path:
    return upload_dir() / f"{job.stored}.progress"


def errors_path(job: ImportJob) -> Path:
    return upload_dir() / f"{job.stored}.errors.xlsx"


def read_progress(job: ImportJob) -> int:
    try:
        return int(json.loads(progress_path(job).read_text())["rows"])
    except (OSError, ValueError, KeyError):
        return 0


EXPIRED = "预览已过期（上传超过 {days} 天未确认），文件已删除，请重新上传"


def clean_stale_uploads() -> int:
    """Uploads left waiting (a preview nobody confirmed, a failed file) are deleted after
    LIANGXIN_IMPORT_KEEP_DAYS; their jobs say so. Returns how many were removed."""
    days = int(getattr(settings, "LIANGXIN_IMPORT_KEEP_DAYS", 7))
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


@task()
def run_import_job(job_id: int) -> None:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    marker = progress_path(job)

    def progress(rows: int) -> None:
        marker.write_text(json.dumps({"rows": rows}))

    ctx = ImportContext(
        actor=job.user, filename=job.filename, source="page", dry_run=not job.committing, progress=progress
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
        job.report = report.summary()
        job.has_error_rows = write_rejected_rows(str(errors_path(job)), report)
        job.status = ImportJob.Status.DONE if job.committing else ImportJob.Status.PREVIEWED
        if job.committing:
            (upload_dir() / job.stored).unlink(missing_ok=True)
    job.save(update_fields=["status", "error", "report", "has_error_rows", "updated_at"])
