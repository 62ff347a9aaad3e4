"""A table as a download (.xlsx or .csv), audited: who exported what, with which filters."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from liangxin.core import audit
from liangxin.core.exporting import csv_lines, write_import_template, write_xlsx

FORMATS = ("xlsx", "csv")


def table_download(
    request, fmt: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, action: str
) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("不支持的导出格式")
    audit.record(
        action,
        actor=request.user,
        object_type=action.rsplit(".", 1)[0],
        object_repr=title,
        after={"format": fmt, "filters": dict(request.GET.items())},
    )
    filename = quote(f"{title}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}")
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(headers, rows), content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        write_xlsx(buffer, [(title[:31], headers, rows)])
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def import_template_download(title: str, spec, notes: dict[str, str]) -> FileResponse:
    """`title`.xlsx: a blank import template with its 填表说明 (core.exporting)."""
    handle = tempfile.TemporaryFile()
    write_import_template(handle, title, spec, notes)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{title}.xlsx")
