"""提醒: a unit's in-app notices (unread first, mark one or all read); the office sees what was sent."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from liangxin.core.listing import paginate
from liangxin.core.permissions import role_required, visible
from liangxin.core.roles import Role
from liangxin.dispatch import notices as notice_service
from liangxin.dispatch.models import NOTICE_KINDS, Notice
from liangxin.dispatch.units import acting_unit
from liangxin.dispatch.views import VIEWERS

KINDS = NOTICE_KINDS


@role_required(*VIEWERS)
def notice_list(request):
    unit = acting_unit(request.user)
    is_office = request.user.role == Role.OFFICE
    if unit is not None:
        notices = visible(Notice, request).filter(unit=unit)
    elif is_office:
        notices = visible(Notice, request)
    else:
        notices = Notice.objects.none()
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").strip()
    if state == "unread":
        notices = notices.filter(read_at__isnull=True)
    elif state == "read":
        notices = notices.filter(read_at__isnull=False)
    if kind in KINDS:
        notices = notices.filter(kind=kind)
    if q:
        notices = notices.filter(Q(message__contains=q) | Q(unit__name__contains=q))
    page, query = paginate(request, notice_service.unread_first(notices.select_related("unit", "period")))
    return render(
        request,
        "dispatch/notices.html",
        {
            "unit": unit,
            "is_office": is_office and unit is None,
            "page": page,
            "query": query,
            "unread": notice_service.unread_count(unit),
            "state": state,
            "kind": kind,
            "q": q,
            "kinds": KINDS.items(),
        },
    )


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("dispatch:notices")


@require_POST
@role_required(*VIEWERS)
def notice_read(request, pk: int):
    """Mark one notice read: only a user of the recipient unit may (anyone else gets 404)."""
    unit = acting_unit(request.user)
    notice = visible(Notice, request).filter(pk=pk, unit=unit).first() if unit else None
    if notice is None:
        raise Http404("未找到该提醒，或不是发给本单位的提醒")
    notice_service.mark_read(notice, actor=request.user)
    return _back(request)


@require_POST
@role_required(*VIEWERS)
def notice_read_all(request):
    unit = acting_unit(request.user)
    if unit is None:
        raise Http404("您的账号没有对应的填报单位，没有可标记的提醒")
    count = notice_service.mark_all_read(unit, actor=request.user)
    if count:
        messages.success(request, f"已将 {count} 条提醒标为已读")
    else:
        messages.info(request, "没有未读提醒")
    return _back(request)
