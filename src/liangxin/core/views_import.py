"""The upload page for every sheet type: upload → preview (a dry run) → confirm → result.
Both runs are background jobs (core.jobs); the page shows their progress."""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from liangxin.core import jobs
from liangxin.core.importing import importers
from liangxin.core.models import ImportJob
from liangxin.core.permissions import role_required
from liangxin.core.roles import Role

IMPORTERS_ROLES = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP)
ALLOWED_EXTENSIONS = (".xlsx", ".xls", ".ods", ".csv")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="选择文件", help_text="支持 .xlsx、.xls、.ods、.csv；可包含多个工作表，系统按表头识别"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in ALLOWED_EXTENSIONS:
            raise forms.ValidationError("不支持的文件类型，请上传 .xlsx、.xls、.ods 或 .csv 文件")
        limit = settings.LIANGXIN_UPLOAD_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"文件大小为 {upload.size / 1048576:.1f} MB，超过上限 {limit} MB，请拆分后分批上传"
            )
        return upload


def _own_job(request, pk: int) -> ImportJob:
    """A job is its uploader's alone: anyone else gets 404."""
    job = ImportJob.objects.filter(pk=pk, user=request.user).first()
    if job is None:
        raise Http404("未找到该导入任务")
    return job


def _too_large(request) -> str | None:
    """Refuse an oversized upload from its Content-Length, before the body is read to disk."""
    limit = settings.LIANGXIN_UPLOAD_MAX_MB
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > (limit + 1) * 1024 * 1024:
        return f"文件大小约为 {length / 1048576:.1f} MB，超过上限 {limit} MB，请拆分后分批上传"
    return None


def _sheet_kinds() -> list[tuple[str, str, str]]:
    """Each recognized sheet type with the headers that identify it and its template's URL, for
    the upload page."""
    return [
        (
            cls.spec.label,
            cls.recognized_by
            or "表头含" + "、".join(f"“{cls.spec.column(k).label}”" for k in cls.spec.signature),
            reverse(cls.template[0], kwargs=cls.template[1]) if cls.template else "",
        )
        for cls in importers()
    ]


@role_required(*IMPORTERS_ROLES)
def upload(request):
    if request.method == "POST" and (message := _too_large(request)):
        context = {"form": UploadForm(), "kinds": _sheet_kinds(), "refused": message}
        return render(request, "core/import_upload.html", context, status=413)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = secrets.token_urlsafe(16) + PurePath(upload.name).suffix.lower()
        with open(jobs.upload_dir() / stored, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        job = ImportJob.objects.create(user=request.user, filename=upload.name[:255], stored=stored)
        jobs.clean_stale_uploads()
        jobs.run_import_job.enqueue(job.pk)
        return redirect("data_import_job", pk=job.pk)
    recent = ImportJob.objects.filter(user=request.user)[:10]
    return render(
        request, "core/import_upload.html", {"form": form, "kinds": _sheet_kinds(), "recent": recent}
    )


@role_required(*IMPORTERS_ROLES)
def job_detail(request, pk: int):
    job = _own_job(request, pk)
    jobs.fail_orphaned_jobs([job])  # its worker died: say so now, and stop polling
    context = {"job": job, "report": job.report, "progress": jobs.read_progress(job)}
    if request.headers.get("HX-Request"):
        return render(request, "core/import_job_status.html", context)
    return render(request, "core/import_job.html", context)


@require_POST
@role_required(*IMPORTERS_ROLES)
def confirm(request, pk: int):
    job = _own_job(request, pk)
    if job.status == ImportJob.Status.PREVIEWED:
        job.committing = True
        job.status = ImportJob.Status.QUEUED
        job.save(update_fields=["committing", "status", "updated_at"])
        jobs.progress_path(job).unlink(missing_ok=True)
        jobs.run_import_job.enqueue(job.pk)
    return redirect("data_import_job", pk=job.pk)


@role_required(*IMPORTERS_ROLES)
def errors(request, pk: int):
    job = _own_job(request, pk)
    path = jobs.errors_path(job)
    if not job.has_error_rows or not path.exists():
        raise Http404("没有错误明细")
    return FileResponse(
        open(path, "rb"), as_attachment=True, filename=f"{PurePath(job.filename).stem}-错误明细.xlsx"
    )
