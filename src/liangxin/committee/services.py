"""Every change of the committee app: atomic, with an explicit actor and an audit row in the
same transaction. Writes re-check the row through ``restrict(actor, "change")``.

A 议定事项 that enters the dispatch becomes a task of the year's plan through the dispatch's own
service (`dispatch.plans.save_task`), with the meeting as its source: the task's 具体要求 names
the meeting and the decision keeps the task, so from then on it is reported, lit, chased and
bulletined like any task.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from liangxin.committee.models import Activity, Decision, IndustryCommittee, Meeting
from liangxin.core import audit
from liangxin.core.models import Installation, MemberUnit
from liangxin.core.scoping import CHANGE, scope_for
from liangxin.coverage.models import Formation, PartyOrganization, PartyOrgType
from liangxin.dispatch import plans
from liangxin.dispatch.models import Category, Task

DECISION_CATEGORY = "工委会议议定事项"


def _is_command(actor) -> bool:
    return actor is None or not getattr(actor, "is_authenticated", False)


def _check_change(model, obj, actor) -> None:
    if _is_command(actor):
        return
    if not model.objects.restrict(actor, CHANGE).filter(pk=obj.pk).exists():
        raise PermissionDenied("不在您的管辖范围内")


# ----------------------------------------------------------------------------- committees


@dataclass
class CommitteeData:
    name: str
    owner_unit: MemberUnit
    industries: list  # core.Industry
    tags: list[str]
    areas: list  # core.Area
    secretary: str = ""
    founded_on: datetime.date | None = None
    note: str = ""


def _committee_snapshot(c: IndustryCommittee) -> dict:
    return {
        "name": c.party_org.name,
        "owner_unit": str(c.party_org.owner_unit),
        "secretary": c.party_org.secretary,
        "founded_on": c.party_org.founded_on,
        "industries": sorted(i.code for i in c.industries.all()),
        "tags": list(c.tags),
        "areas": sorted(a.name for a in c.areas.all()),
        "note": c.note,
    }


@transaction.atomic
def save_committee(
    data: CommitteeData, *, actor, today: datetime.date, committee: IndustryCommittee | None = None
) -> IndustryCommittee:
    """Create (or update) a 行业(综合)党委: a 党委 of its own kind owned by a member unit."""
    if not data.industries and not data.tags:
        raise ValidationError({"industries": "请至少选择一个服务行业或填写一个重点群体标签"})
    if not _is_command(actor) and not scope_for(actor).admits(
        PartyOrganization, {"owner_unit_id": data.owner_unit.pk}
    ):
        raise PermissionDenied("只能为本单位设立行业党委")
    clash = PartyOrganization.objects.filter(name=data.name)
    if committee is not None:
        _check_change(IndustryCommittee, committee, actor)
        clash = clash.exclude(pk=committee.party_org_id)
    if clash.exists():
        raise ValidationError({"name": f"党组织“{data.name}”已存在"})
    before = _committee_snapshot(committee) if committee else None
    if committee is None:
        city = Installation.current_city()
        party_org = PartyOrganization(
            org_type=PartyOrgType.COMMITTEE,
            formation=Formation.INDUSTRY,
            region=data.owner_unit.region or city,
            recorded_on=today,
        )
        party_org.copy_ancestor_codes(party_org.region)
    else:
        party_org = committee.party_org
    party_org.name = data.name
    party_org.owner_unit = data.owner_unit
    party_org.secretary = data.secretary
    party_org.founded_on = data.founded_on
    party_org.save()
    if committee is None:
        committee = IndustryCommittee.objects.create(party_org=party_org, tags=data.tags, note=data.note)
    else:
        committee.tags, committee.note = data.tags, data.note
        committee.save()
    committee.industries.set(data.industries)
    committee.areas.set(data.areas)
    after = _committee_snapshot(committee)
    if before is None:
        audit.record("committee.industry.created", actor=actor, obj=committee, after=after)
    else:
        old, new = audit.changed(before, after)
        if new:
            audit.record("committee.industry.updated", actor=actor, obj=committee, before=old, after=new)
    return committee


def dispatch_start(day: datetime.date) -> datetime.date:
    """A task decided on `day` is reported from the next month's dispatch (within the year)."""
    if day.month == 12:
        return day
    return datetime.date(day.year, day.month + 1, 1)


@transaction.atomic
def propose_committee_task(unit: MemberUnit, *, actor, as_of: datetime.date) -> tuple[Task, str]:
    """One step from “应成立未成立” to the dispatch: a task for `unit` to set up its committee."""
    plan = plans.get_or_create_plan(as_of.year, actor=actor)
    data = plans.TaskData(
        code=f"行业党委{unit.pk}",
        category=Category.THREE,
        title=f"推动成立{unit.name}行业（综合）党委",
        requirement="按照“两新”工委要求，尚未成立行业（综合）党委的成员单位要尽快成立，实现行业党建全覆盖。",
        lead=unit,
        units=[],
        start=dispatch_start(as_of),
        deadline=datetime.date(as_of.year, 12, 31),
        deadline_text="年底前",
    )
    return plans.save_task(plan, data, actor=actor)


# ----------------------------------------------------------------------------- activities


@transaction.atomic
def save_activity(activity: Activity, organizations: list, *, actor) -> Activity:
    if not _is_command(actor) and not scope_for(actor).admits(
        Activity, {"organizer_id": activity.organizer_id}
    ):
        raise PermissionDenied("只能录入本单位组织的活动")
    if activity.committee_id and activity.committee.party_org.owner_unit_id != activity.organizer_id:
        raise ValidationError({"committee": "所选行业党委不属于组织单位"})
    if activity.whole_field and not activity.committee_id:
        raise ValidationError({"whole_field": "面向全部组织的活动须选择行业党委"})
    created = activity.pk is None
    if not created:
        _check_change(Activity, activity, actor)
        before = audit.snapshot(Activity.objects.get(pk=activity.pk))
    activity.save()
    activity.organizations.set(organizations)
    after = audit.snapshot(activity) | {"organizations": len(organizations)}
    if created:
        audit.record("committee.activity.created", actor=actor, obj=activity, after=after)
    else:
        old, new = audit.changed(before, after)
        if new:
            audit.record("committee.activity.updated", actor=actor, obj=activity, before=old, after=new)
    return activity


# ----------------------------------------------------------------------------- meetings


@dataclass
class DecisionData:
    title: str
    lead: MemberUnit
    units: list[MemberUnit]
    deadline: datetime.date | None
    deadline_text: str
    enters_dispatch: bool = True


@transaction.atomic
def _meeting_snapshot(meeting: Meeting) -> dict:
    fields = ["name", "date", "kind", "chair", "minutes", "attachment_name"]
    return audit.snapshot(meeting, fields)


@transaction.atomic
def save_meeting(meeting: Meeting, attendees: list[MemberUnit], *, actor) -> Meeting:
    created = meeting.pk is None
    if not created:
        _check_change(Meeting, meeting, actor)
        before = _meeting_snapshot(Meeting.objects.get(pk=meeting.pk))
    meeting.save()
    meeting.attendees.set(attendees)
    after = _meeting_snapshot(meeting) | {"attendees": [u.name for u in attendees]}
    if created:
        audit.record("committee.meeting.created", actor=actor, obj=meeting, after=after)
    else:
        old, new = audit.changed(before, after)
        if new:
            audit.record("committee.meeting.updated", actor=actor, obj=meeting, before=old, after=new)
    return meeting


@transaction.atomic
def add_decision(meeting: Meeting, data: DecisionData, *, actor, source: str | None = None) -> Decision:
    """Record a 议定事项 (the same title twice at one meeting is one decision, updated)."""
    _check_change(Meeting, meeting, actor)
    decision = meeting.decisions.filter(title=data.title).first()
    created = decision is None
    if created:
        last = meeting.decisions.order_by("-seq").values_list("seq", flat=True).first() or 0
        decision = Decision(meeting=meeting, seq=last + 1)
    decision.title = data.title
    decision.lead = data.lead
    decision.deadline = data.deadline
    decision.deadline_text = data.deadline_text
    decision.enters_dispatch = data.enters_dispatch
    decision.save()
    decision.units.set(data.units)
    audit.record(
        "committee.decision.created" if created else "committee.decision.updated",
        actor=actor,
        obj=decision,
        after=audit.snapshot(decision) | {"units": [u.name for u in data.units]},
        source=source,
    )
    return decision


def decision_task_code(decision: Decision) -> str:
    return f"会{decision.meeting_id}.{decision.seq}"


@transaction.atomic
def dispatch_decision(decision: Decision, *, actor, source: str | None = None) -> Task:
    """The decision becomes (or updates) a task of its year's plan, the meeting as its source."""
    meeting = decision.meeting
    if not _is_command(actor) and actor.role != "office":
        raise PermissionDenied("只有工委办公室可以将议定事项纳入调度")
    year = (decision.deadline or meeting.date).year
    plan = plans.get_or_create_plan(year, actor=actor, source=source)
    start = dispatch_start(meeting.date)
    if decision.deadline and decision.deadline < start:
        start = meeting.date
    data = plans.TaskData(
        code=decision_task_code(decision),
        category=DECISION_CATEGORY,
        title=decision.title[:300],
        requirement=f"来源：{meeting.name}（{meeting.date.year}年{meeting.date.month}月{meeting.date.day}日，{meeting.get_kind_display()}）议定事项",
        lead=decision.lead,
        units=list(decision.units.all()),
        start=start,
        deadline=decision.deadline,
        deadline_text=decision.deadline_text or "长期",
    )
    task, _ = plans.save_task(plan, data, actor=actor, task=decision.task, source=source)
    if decision.task_id != task.pk or not decision.enters_dispatch:
        decision.task = task
        decision.enters_dispatch = True
        decision.save(update_fields=["task", "enters_dispatch"])
        audit.record(
            "committee.decision.dispatched",
            actor=actor,
            obj=decision,
            after={"task": task.code, "plan": plan.year},
            source=source,
        )
    return task
