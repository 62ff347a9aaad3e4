"""The combined 摸排表 as a download (as of a date, within the user's jurisdiction) and the
blank import templates of the coverage sheets."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, Http404

from liangxin.core.permissions import role_required, visible
from liangxin.coverage import ledger_export
from liangxin.coverage.filters import export, export_format, parse_filters
from liangxin.coverage.views import VIEWERS
from liangxin.coverage.views_party import EDITORS
from liangxin.registry.models import Organization


@role_required(*VIEWERS)
def ledger_export_view(request):
    """/coverage/ledger/export/?as_of=2022-06-30&region=…&format=xlsx|csv"""
    filters = parse_filters(request)
    organizations = visible(Organization, request).filter(filters.region_q() & filters.org_q())
    rows = ledger_export.rows(organizations, viewer=request.user, as_of=filters.as_of)
    title = f"两新组织党建摸排表（截至{filters.as_of:%Y年%m月%d日}）"
    return export(request, export_format(request) or "xlsx", title, ledger_export.HEADERS, rows)


@role_required(*EDITORS)
def import_template(request, kind: str):
    if kind not in ledger_export.templates():
        raise Http404("没有这种导入模板")
    handle = tempfile.TemporaryFile()
    title = ledger_export.write_template(handle, kind)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{title}.xlsx")
