"""催报与预警: the units that have not reported, overdue and lagging tasks, missed milestones;
filtered by unit and text, each table paged on its own, and a printable layout with every row."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from liangxin.core.models import MemberUnitKind
from liangxin.core.permissions import role_required
from liangxin.dispatch import reminders
from liangxin.dispatch.models import Period
from liangxin.dispatch.status import LIGHT_LABELS, REPORT_LABELS, period_milestones
from liangxin.dispatch.units import visible_unit_ids
from liangxin.dispatch.views import OFFICE, VIEWERS, pick_as_of, pick_period, scoped_status

CHASE_LIGHTS = {"red": LIGHT_LABELS["red"], "yellow": LIGHT_LABELS["yellow"]}


@dataclass
class Filters:
    kind: str = ""  # MemberUnitKind value
    unit: str = ""  # a member unit's pk
    q: str = ""
    light: str = ""  # red / yellow: the 逾期与滞后 table only

    @classmethod
    def from_request(cls, request) -> Filters:
        get = request.GET
        kind = get.get("kind", "")
        unit = get.get("unit", "").strip()
        light = get.get("light", "")
        return cls(
            kind=kind if kind in MemberUnitKind.values else "",
            unit=unit if unit.isdigit() else "",
            q=get.get("q", "").strip(),
            light=light if light in CHASE_LIGHTS else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.kind or self.unit or self.q or self.light)

    def unit_ok(self, unit) -> bool:
        return (not self.kind or unit.kind == self.kind) and (not self.unit or str(unit.pk) == self.unit)

    def text_in(self, *texts: str) -> bool:
        return not self.q or any(self.q in t for t in texts if t)

    def task_ok(self, task) -> bool:
        return not self.q or self.q in task.title or self.q == task.code


def _paged(request, rows: list, param: str, printing: bool) -> dict:
    """One table's rows: a page of them (`?<param>=N`, the rest of the query string kept), or all
    of them for printing."""
    if printing:
        return {"rows": rows, "page": None, "count": len(rows)}
    page = Paginator(rows, settings.LIANGXIN_PAGE_SIZE).get_page(request.GET.get(param))
    params = request.GET.copy()
    params.pop(param, None)
    return {
        "rows": page.object_list,
        "page": page,
        "query": params.urlencode(),
        "param": param,
        "count": len(rows),
    }


@role_required(*VIEWERS)
def chase(request):
    period = pick_period(request)
    if period is None:
        return render(request, "dispatch/chase.html", {"period": None})
    as_of = pick_as_of(request, period)
    status = scoped_status(request, period, as_of)
    units = visible_unit_ids(request.user)
    is_office = units is None
    if units is not None:  # a lead unit follows the tasks it leads
        status.tasks = [t for t in status.tasks if t.lead_id in units]
    used = Filters.from_request(request)
    printing = request.GET.get("print") == "1"

    missing: dict[int, dict] = {}
    flagged = []
    units = {}
    for task in status.tasks:
        for a in status.assignments[task.pk]:
            units[a.unit_id] = a.unit
            c = status.cells[(task.pk, a.unit_id)]
            if c.expected and not c.submitted:
                entry = missing.setdefault(a.unit_id, {"unit": a.unit, "tasks": [], "report": set()})
                entry["tasks"].append(task)
                entry["report"].add(REPORT_LABELS[c.report])
            if c.light in CHASE_LIGHTS:
                flagged.append({"task": task, "unit": a.unit, "cell": c})
    missing_total = len(missing)  # 一键提醒 reminds them all, whatever the filters show

    shown_missing = []
    for entry in sorted(missing.values(), key=lambda m: (m["unit"].sort, m["unit"].pk)):
        if not used.unit_ok(entry["unit"]):
            continue
        tasks = entry["tasks"]
        if not used.text_in(entry["unit"].name):  # the unit's name matches: all its tasks
            tasks = [t for t in tasks if used.task_ok(t)]
        if tasks:
            shown_missing.append({"unit": entry["unit"], "tasks": tasks, "report": sorted(entry["report"])})

    flagged = [
        f
        for f in flagged
        if used.unit_ok(f["unit"])
        and (not used.light or f["cell"].light == used.light)
        and (used.task_ok(f["task"]) or used.text_in(f["unit"].name, f["task"].lead.name))
    ]
    flagged.sort(key=lambda f: (f["cell"].light != "red", f["task"].sort_key, f["unit"].sort, f["unit"].pk))

    by_pk = {t.pk: t for t in status.tasks}
    missed = []
    for task_id, states in period_milestones(status).items():
        task = by_pk[task_id]
        if (used.kind or used.unit) and not any(used.unit_ok(a.unit) for a in status.assignments[task_id]):
            continue
        for m in states:
            if m.missed and (used.task_ok(task) or used.text_in(m.milestone.text, task.lead.name)):
                missed.append({"task": task, "milestone": m.milestone})
    missed.sort(key=lambda x: (x["milestone"].due, x["task"].sort_key))

    filter_units = sorted(units.values(), key=lambda u: (u.sort, u.pk))
    return render(
        request,
        "dispatch/chase.html",
        {
            "period": period,
            "periods": Period.objects.order_by("-month"),
            "as_of": as_of,
            "has_tasks": bool(status.tasks),
            "missing": _paged(request, shown_missing, "page", printing),
            "missing_total": missing_total,
            "flagged": _paged(request, flagged, "page_flagged", printing),
            "missed": _paged(request, missed, "page_missed", printing),
            "overdue": timezone.localdate() > period.due_date,
            "used": used,
            "printing": printing,
            "print_query": _print_query(request),
            "back_query": _back_query(request),
            "kinds": MemberUnitKind.choices,
            "unit_groups": [
                (label, [u for u in filter_units if u.kind == kind]) for kind, label in MemberUnitKind.choices
            ],
            "chosen_unit": next((u for u in filter_units if str(u.pk) == used.unit), None),
            "lights": CHASE_LIGHTS.items(),
            "is_office": is_office,
        },
    )


def _print_query(request) -> str:
    params = request.GET.copy()
    for name in ("page", "page_flagged", "page_missed"):
        params.pop(name, None)
    params["print"] = "1"
    return params.urlencode()


def _back_query(request) -> str:
    params = request.GET.copy()
    params.pop("print", None)
    return params.urlencode()


@require_POST
@role_required(*OFFICE)
def chase_remind(request):
    period = pick_period(request)
    if period is None:
        raise Http404("尚无调度期")
    count = reminders.chase(period, actor=request.user, today=timezone.localdate())
    if count:
        messages.success(request, f"已向 {count} 个未报送单位发送催报提醒")
    else:
        messages.info(request, "今天已提醒过所有未报送单位，或所有单位均已报送")
    return redirect(f"{reverse('dispatch:chase')}?period={period.key}")
