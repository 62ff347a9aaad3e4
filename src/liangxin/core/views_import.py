"""The upload page for every sheet type: upload → preview (a dry run) → confirm → result."""

from __future__ import annotations

import secrets
from pathlib import Path, PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from liangxin.core.exporting import write_rejected_rows
from liangxin.core.importing import ImportContext, ImportFailed, importers, run_import
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


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pending(request, token: str) -> dict:
    pending = request.session.get("imports", {}).get(token)
    if pending is None or not (_upload_dir() / pending["stored"]).exists():
        raise Http404("未找到该导入文件，或它已被处理；请重新上传")
    return pending


def _run(request, pending: dict, *, dry_run: bool):
    path = _upload_dir() / pending["stored"]
    ctx = ImportContext(actor=request.user, filename=pending["name"], source="page", dry_run=dry_run)
    report = run_import(path, ctx)
    errors_name = pending["stored"] + ".errors.xlsx"
    pending["has_errors"] = write_rejected_rows(str(_upload_dir() / errors_name), report)
    pending["errors"] = errors_name
    return report


@role_required(*IMPORTERS_ROLES)
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token = secrets.token_urlsafe(16)
        stored = token + PurePath(upload.name).suffix.lower()
        with open(_upload_dir() / stored, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        pending = {"name": upload.name, "stored": stored}
        try:
            report = _run(request, pending, dry_run=True)
        except ImportFailed as exc:
            (_upload_dir() / stored).unlink(missing_ok=True)
            form.add_error("file", exc.message)
        else:
            imports = request.session.get("imports", {})
            imports[token] = pending
            request.session["imports"] = imports
            return render(
                request, "core/import_preview.html", {"report": report, "token": token, "pending": pending}
            )
    kinds = [
        (cls.spec.label, "、".join(f"“{cls.spec.column(k).label}”" for k in cls.spec.signature))
        for cls in importers()
    ]
    return render(request, "core/import_upload.html", {"form": form, "kinds": kinds})


@require_POST
@role_required(*IMPORTERS_ROLES)
def confirm(request, token: str):
    pending = _pending(request, token)
    try:
        report = _run(request, pending, dry_run=False)
    except ImportFailed as exc:
        messages.error(request, exc.message)
        return redirect("data_import")
    imports = request.session.get("imports", {})
    pending["done"] = True
    imports[token] = pending
    request.session["imports"] = imports
    (_upload_dir() / pending["stored"]).unlink(missing_ok=True)
    return render(request, "core/import_result.html", {"report": report, "token": token, "pending": pending})


@role_required(*IMPORTERS_ROLES)
def errors(request, token: str):
    pending = request.session.get("imports", {}).get(token)
    if not pending or not pending.get("has_errors"):
        raise Http404("没有错误明细")
    path = _upload_dir() / pending["errors"]
    if not path.exists():
        raise Http404("错误明细已过期，请重新上传")
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=f"{PurePath(pending['name']).stem}-错误明细.xlsx",
    )
