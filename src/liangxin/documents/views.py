"""The office's bulletin pages: the list of periods and the published files.

The bulletin is city-wide and published to every unit, so member units and counties may
download a published bulletin (read-only); only the office sees drafts or publishes.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from liangxin.core.permissions import role_required
from liangxin.core.roles import Role

from .models import Bulletin

READERS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _readable(user):
    rows = Bulletin.objects.all()
    return rows if user.role == Role.OFFICE else rows.filter(status=Bulletin.Status.PUBLISHED)


@role_required(*READERS)
def bulletins(request):
    rows = _readable(request.user).defer("docx", "xlsx", "snapshot")
    return render(request, "documents/bulletins.html", {"bulletins": rows})


@role_required(*READERS)
def download(request, period: str, kind: str):
    bulletin = _readable(request.user).filter(period=period, status=Bulletin.Status.PUBLISHED).first()
    if bulletin is None or kind not in ("docx", "xlsx"):
        raise Http404("没有这一期已发布的通报")
    content = bytes(bulletin.docx if kind == "docx" else bulletin.xlsx)
    response = HttpResponse(content, content_type=DOCX if kind == "docx" else XLSX)
    response["Content-Disposition"] = f'attachment; filename="bulletin-{period}.{kind}"'
    return response
