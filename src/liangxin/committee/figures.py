"""What a 行业(综合)党委 has done, as of any date, computed from data already in the system.

* its field — the organizations of its industries (门类 or 大类) or tags, within its areas if
  any (`field_q`) — counted by the coverage engine (`engine.coverage_series`, the 口径 of
  domain.md §4: never a second copy) now and a year earlier;
* the party organizations under it, their inspections this year and how many were rated 差;
* the tasks its owner unit leads in the year's dispatch, with their lights (`dispatch.status`);
* its activities this year;
* the verdict (`verdict.py`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from liangxin.committee import verdict as verdicts
from liangxin.committee.models import Activity, IndustryCommittee
from liangxin.core.models import MemberUnit, MemberUnitKind
from liangxin.coverage import engine
from liangxin.coverage.models import BranchInspection, PartyOrganization, Rating
from liangxin.dispatch.models import Period, Task
from liangxin.dispatch.status import PeriodStatus, period_status
from liangxin.registry.models import Organization, OrganizationTag

LIGHTS = ("done", "green", "yellow", "red")


def year_earlier(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def field_q(industries: list[str], tags: list[str], area_ids: list[int] | None = None) -> Q:
    """Organizations of any of `industries` (门类 letters or 大类 codes) or `tags`, within
    `area_ids` when given. Nothing when neither industries nor tags are given."""
    sections = [code for code in industries if len(code) == 1]
    divisions = [code for code in industries if len(code) == 2]
    q = Q(pk__in=[])
    if sections:
        q |= Q(industry_section__in=sections)
    if divisions:
        q |= Q(industry_id__in=divisions)
    if tags:
        q |= Q(pk__in=OrganizationTag.objects.filter(tag__name__in=tags).values("organization_id"))
    if area_ids:
        q &= Q(area_id__in=area_ids)
    return q


def committee_field_q(committee: IndustryCommittee) -> Q:
    return field_q(industry_codes(committee), list(committee.tags), [a.pk for a in committee.areas.all()])


def industry_codes(committee: IndustryCommittee) -> list[str]:
    return [i.code for i in committee.industries.all()]


def active_committees(as_of: datetime.date, visible: QuerySet | None = None) -> QuerySet:
    """The committees existing on `as_of` (their party organization founded and not dissolved)."""
    committees = visible if visible is not None else IndustryCommittee.objects.all()
    return (
        committees.filter(engine.party_org_active_q(as_of, "party_org__"))
        .select_related("party_org", "party_org__owner_unit", "party_org__region")
        .prefetch_related("industries", "areas")
        .order_by("party_org__owner_unit__sort", "party_org__name")
    )


@dataclass
class CommitteeFigures:
    committee: IndustryCommittee
    as_of: datetime.date
    year_ago: datetime.date
    now: engine.Figures
    before: engine.Figures
    party_orgs: list[PartyOrganization]
    inspections: int
    poor_inspections: int
    tasks: list[tuple[Task, str | None]]
    activities: list[Activity]
    verdict: verdicts.Verdict = field(init=False)

    def __post_init__(self) -> None:
        self.verdict = verdicts.judge(self)

    @property
    def task_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(LIGHTS, 0)
        for _, light in self.tasks:
            if light in counts:
                counts[light] += 1
        return counts

    @property
    def rate_now(self):
        return self.now.pct(self.now.covered)

    @property
    def rate_before(self):
        return self.before.pct(self.before.covered)

    @property
    def work_now(self):
        return self.now.pct(self.now.covered + self.now.work)

    @property
    def points(self) -> list[tuple[str, dict[str, Any]]]:
        """The two dates of the page's coverage table."""
        return [
            (
                f"{day:%Y-%m-%d}",
                p.as_dict() | {"org_pct": p.pct(p.covered), "work_pct": p.pct(p.covered + p.work)},
            )
            for day, p in ((self.as_of, self.now), (self.year_ago, self.before))
        ]

    @property
    def org_rate_change(self):
        """The change in points of the one-decimal percentages (as the bulletin writes it)."""
        return self.now.pct(self.now.covered) - self.before.pct(self.before.covered)

    def as_dict(self) -> dict[str, Any]:
        c = self.committee
        return {
            "name": c.name,
            "owner_unit": c.owner_unit.name if c.owner_unit else "",
            "industries": industry_codes(c),
            "tags": list(c.tags),
            "organizations": self.now.total,
            "org_rate": self.now.fraction(self.now.covered),
            "org_rate_year_ago": self.before.fraction(self.before.covered),
            "work_rate": self.now.fraction(self.now.covered + self.now.work),
            "party_orgs": len(self.party_orgs),
            "inspections": self.inspections,
            "poor_inspections": self.poor_inspections,
            "tasks": self.task_counts,
            "activities": len(self.activities),
            "verdict": self.verdict.label,
            "reasons": [r.text for r in self.verdict.reasons],
        }


class Context:
    """What several committees on one date share: the period's lights, computed once."""

    def __init__(self, as_of: datetime.date, user=None):
        self.as_of = as_of
        self.user = user
        self._status: PeriodStatus | bool | None = False

    def restrict(self, model) -> QuerySet:
        return model.objects.restrict(self.user) if self.user is not None else model.objects.all()

    @property
    def status(self) -> PeriodStatus | None:
        """The dispatch period of `as_of`'s month (or the latest before it, in the same year)."""
        if self._status is False:
            period = (
                Period.objects.filter(plan__year=self.as_of.year, month__lte=self.as_of)
                .select_related("plan")
                .order_by("-month")
                .first()
            )
            self._status = period_status(period, min(self.as_of, period.last_day)) if period else None
        return self._status  # type: ignore[return-value]


def compute(committee: IndustryCommittee, ctx: Context) -> CommitteeFigures:
    as_of = ctx.as_of
    before_day = year_earlier(as_of)
    now, before = engine.coverage_series(
        ctx.restrict(Organization), dates=[as_of, before_day], filters=committee_field_q(committee)
    )
    party_orgs = list(
        ctx.restrict(PartyOrganization)
        .filter(engine.party_org_active_q(as_of), parent=committee.party_org)
        .select_related("region")
        .order_by("name")
    )
    inspections = BranchInspection.objects.filter(
        party_org__in=[p.pk for p in party_orgs],
        inspected_on__gte=datetime.date(as_of.year, 1, 1),
        inspected_on__lte=as_of,
    )
    inspected = list(inspections.values_list("rating", flat=True))
    tasks: list[tuple[Task, str | None]] = []
    if committee.owner_unit is not None:
        status = ctx.status
        # The tasks the viewer may see (a county: those its 组织部 reports on), as on the board.
        for task in (
            ctx.restrict(Task)
            .filter(plan__year=as_of.year, lead=committee.party_org.owner_unit_id)
            .order_by("sort_key")
        ):
            light = status.task_light(task.pk) if status and task.pk in status.assignments else None
            tasks.append((task, light))
    activities = list(
        committee.activities.filter(date__gte=datetime.date(as_of.year, 1, 1), date__lte=as_of)
        .select_related("organizer")
        .order_by("-date", "-id")
    )
    return CommitteeFigures(
        committee=committee,
        as_of=as_of,
        year_ago=before_day,
        now=now,
        before=before,
        party_orgs=party_orgs,
        inspections=len(inspected),
        poor_inspections=sum(1 for r in inspected if r == Rating.POOR),
        tasks=tasks,
        activities=activities,
    )


def compute_all(
    as_of: datetime.date, *, user=None, committees: QuerySet | None = None
) -> list[CommitteeFigures]:
    ctx = Context(as_of, user)
    visible = committees if committees is not None else ctx.restrict(IndustryCommittee)
    return [compute(c, ctx) for c in active_committees(as_of, visible)]


@dataclass
class Missing:
    unit: MemberUnit
    industries: list[str]
    tags: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit.name, "industries": self.industries, "tags": self.tags}


def missing(as_of: datetime.date, *, user=None) -> list[Missing]:
    """应成立未成立: member units (departments) supervising an industry or key group that own no
    committee existing on `as_of`."""
    units = MemberUnit.objects.restrict(user) if user is not None else MemberUnit.objects.all()
    owning = IndustryCommittee.objects.filter(engine.party_org_active_q(as_of, "party_org__")).values(
        "party_org__owner_unit_id"
    )
    found = []
    for unit in (
        units.filter(active=True, kind=MemberUnitKind.DEPARTMENT)
        .exclude(pk__in=owning)
        .prefetch_related("industries")
        .order_by("sort", "id")
    ):
        codes = [i.code for i in unit.industries.all()]
        if codes or unit.tags:
            found.append(Missing(unit=unit, industries=codes, tags=list(unit.tags)))
    return found
