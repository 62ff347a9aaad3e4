"""工委会议 pages: the list, a meeting with its 议定事项 and their lights, the forms, and the
one step that puts a meeting's decisions into the dispatch."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from liangxin.committee import meetings, services
from liangxin.committee.figures import Context
from liangxin.committee.forms import DecisionForm, MeetingForm
from liangxin.committee.models import Meeting, MeetingKind
from liangxin.committee.views import VIEWERS, export, export_format
from liangxin.core.listing import paginate
from liangxin.core.permissions import (
    CHANGE,
    get_restricted_or_404,
    get_visible_or_404,
    restricted,
    role_required,
)
from liangxin.core.roles import Role

# The office runs the meetings; a member unit (or county) edits the minutes of one it attended.
EDITORS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY)
HEADERS = ["会议日期", "会议名称", "会议类型", "主持人", "议定事项", "纳入调度"]


@role_required(*VIEWERS)
def meeting_list(request):
    found = restricted(Meeting, request)
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    year = request.GET.get("year", "").strip()
    if q:
        found = found.filter(Q(name__contains=q) | Q(decisions__title__contains=q)).distinct()
    if kind in MeetingKind.values:
        found = found.filter(kind=kind)
    if year.isdigit():
        found = found.filter(date__year=int(year))
    found = (
        Meeting.objects.filter(pk__in=found.values("pk"))
        .annotate(
            decision_count=Count("decisions", distinct=True),
            dispatched=Count("decisions", filter=Q(decisions__task__isnull=False), distinct=True),
        )
        .order_by("-date", "-id")
    )
    if fmt := export_format(request):
        rows = (
            [m.date, m.name, m.get_kind_display(), m.chair, m.decision_count, m.dispatched] for m in found
        )
        return export(request, fmt, "工委会议", HEADERS, rows)
    page, query = paginate(request, found)
    return render(
        request,
        "committee/meeting_list.html",
        {
            "page": page, "query": query, "q": q, "kind": kind, "year": year, "kinds": MeetingKind.choices,
            "can_create": request.user.role == Role.OFFICE,
        },
    )  # fmt: skip


@role_required(*VIEWERS)
def meeting_detail(request, pk: int):
    meeting = get_visible_or_404(Meeting, request, pk=pk)
    as_of = meetings.default_as_of(meeting.date.year, timezone.localdate())
    rows = meetings.decision_rows(meeting, Context(as_of))
    return render(
        request,
        "committee/meeting_detail.html",
        {
            "meeting": meeting,
            "rows": rows,
            "as_of": as_of,
            "attendees": meeting.attendees.all(),
            "can_edit": request.user.role in EDITORS
            and restricted(Meeting, request, CHANGE).filter(pk=meeting.pk).exists(),
            "is_office": request.user.role == Role.OFFICE,
            "pending": [r for r in rows if r.decision.enters_dispatch and r.decision.task_id is None],
            "form": DecisionForm(year=meeting.date.year) if request.user.role == Role.OFFICE else None,
        },
    )


@role_required(*EDITORS)
def meeting_edit(request, pk: int | None = None):
    if pk is None and request.user.role != Role.OFFICE:
        raise PermissionDenied("工委会议由工委办公室录入")
    meeting = get_restricted_or_404(Meeting, request, CHANGE, pk=pk) if pk else Meeting()
    form = MeetingForm(request.POST or None, request.FILES or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        upload = request.FILES.get("attachment")
        if upload is not None:
            form.instance.attachment_name = upload.name[:200]
        meeting = services.save_meeting(
            form.instance, list(form.cleaned_data["attendees"]), actor=request.user
        )
        messages.success(request, f"已保存“{meeting.name}”")
        return redirect("committee:meeting_detail", meeting.pk)
    return render(request, "committee/meeting_form.html", {"form": form, "meeting": meeting if pk else None})


@role_required(*VIEWERS)
def attachment(request, pk: int):
    meeting = get_visible_or_404(Meeting, request, pk=pk)
    if not meeting.attachment:
        raise Http404("该会议没有纪要附件")
    return FileResponse(
        meeting.attachment.open("rb"), as_attachment=True, filename=meeting.attachment_name or "会议纪要"
    )


@require_POST
@role_required(Role.OFFICE)
def decision_create(request, pk: int):
    meeting = get_restricted_or_404(Meeting, request, CHANGE, pk=pk)
    form = DecisionForm(request.POST, year=meeting.date.year)
    if form.is_valid():
        d = form.cleaned_data
        decision = services.add_decision(
            meeting,
            services.DecisionData(
                title=d["title"],
                lead=d["lead"],
                units=list(d["units"]),
                deadline=d.get("deadline"),
                deadline_text=d["deadline_text"],
                enters_dispatch=d["enters_dispatch"],
            ),
            actor=request.user,
        )
        messages.success(request, f"已添加议定事项“{decision.title}”")
    else:
        errors = "；".join(
            f"{form.fields[k].label if k in form.fields else ''}：{'，'.join(v)}"
            for k, v in form.errors.items()
        )
        messages.error(request, f"议定事项未保存：{errors}")
    return redirect("committee:meeting_detail", meeting.pk)


@require_POST
@role_required(Role.OFFICE)
def dispatch_all(request, pk: int):
    """纳入调度: every decision of the meeting marked 纳入调度 becomes a task, in one step."""
    meeting = get_restricted_or_404(Meeting, request, CHANGE, pk=pk)
    codes = []
    for decision in meeting.decisions.filter(enters_dispatch=True, task__isnull=True).order_by("seq"):
        codes.append(services.dispatch_decision(decision, actor=request.user).code)
    if codes:
        messages.success(request, f"已纳入调度，生成重点任务 {'、'.join(codes)}，自下月调度起填报")
    else:
        messages.info(request, "没有待纳入调度的议定事项")
    return redirect("committee:meeting_detail", meeting.pk)
