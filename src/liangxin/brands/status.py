"""The campaign's figures as of a date — the one function the page, `liangxin brands`, the
cockpit and the dispatch measure call.

A unit has reported when its report on the campaign's dispatch task says 已完成 and is submitted
(or accepted) — the dispatch's own rule, so the board's lights, its notices and these figures
agree: a unit without one after the deadline is red on the board and listed as late here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Min, QuerySet
from django.utils import timezone

from liangxin.brands import revisits
from liangxin.brands.models import Brand, Campaign, Level, Revisit, Stage
from liangxin.dispatch.measures import Measure, MeasureValue
from liangxin.dispatch.models import ProgressStatus, Report, ReportState


@dataclass
class UnitRow:
    unit: object
    brands: int = 0
    reported_at: datetime.datetime | None = None
    late: bool = False

    @property
    def reported_on_time(self) -> bool:
        return self.reported_at is not None and not self.late


@dataclass
class CampaignStatus:
    campaign: Campaign
    as_of: datetime.date
    units: list[UnitRow] = field(default_factory=list)
    stages: dict[str, int] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    revisits_due: int = 0
    revisits_overdue: int = 0
    inactive: int = 0

    @property
    def expected_units(self) -> int:
        return len(self.units)

    @property
    def reported_units(self) -> int:
        return sum(1 for row in self.units if row.reported_at is not None)

    @property
    def late_units(self) -> list[UnitRow]:
        return [row for row in self.units if row.late]

    def as_json(self) -> dict:
        return {
            "campaign": self.campaign.year,
            "as_of": self.as_of.isoformat(),
            "deadline": self.campaign.deadline.isoformat(),
            "expected_units": self.expected_units,
            "reported_units": self.reported_units,
            "late_units": [row.unit.name for row in self.late_units],
            "brands": self.stages,
            "levels": self.levels,
            "revisits_due": self.revisits_due,
            "revisits_overdue": self.revisits_overdue,
            "inactive": self.inactive,
        }


def reported_at(campaign: Campaign, as_of: datetime.date) -> dict[int, datetime.datetime]:
    """unit id -> when its 已完成 report on the campaign's task was submitted (on or before as_of)."""
    end = timezone.make_aware(datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time()))
    rows = (
        Report.objects.filter(
            task=campaign.task,
            status=ProgressStatus.DONE,
            state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED],
            submitted_at__lt=end,
        )
        .values("unit_id")
        .annotate(first=Min("submitted_at"))
    )
    return {row["unit_id"]: row["first"] for row in rows}


def campaign_status(
    campaign: Campaign, as_of: datetime.date, *, brands: QuerySet | None = None, units=None
) -> CampaignStatus:
    """`brands`: the viewer's visible brands (default all); `units`: the viewer's member units
    among the expected ones (default all)."""
    brands = (brands if brands is not None else Brand.objects.all()).filter(
        campaign=campaign, created_at__date__lte=as_of
    )
    expected = list(campaign.units.order_by("sort", "id"))
    if units is not None:
        allowed = set(units.values_list("pk", flat=True))
        expected = [u for u in expected if u.pk in allowed]
    reported = reported_at(campaign, as_of)
    counts: dict[int, int] = {}
    for unit_id in brands.values_list("unit_id", flat=True):
        counts[unit_id] = counts.get(unit_id, 0) + 1
    past_deadline = as_of > campaign.deadline
    result = CampaignStatus(campaign=campaign, as_of=as_of)
    for unit in expected:
        at = reported.get(unit.pk)
        late = past_deadline and (at is None or timezone.localdate(at) > campaign.deadline)
        result.units.append(UnitRow(unit=unit, brands=counts.get(unit.pk, 0), reported_at=at, late=late))
    result.stages = {label: 0 for _, label in Stage.choices}
    result.levels = {label: 0 for _, label in Level.choices}
    for stage, level in brands.values_list("stage", "level"):
        result.stages[Stage(stage).label] += 1
        result.levels[Level(level).label] += 1
    open_ones = Revisit.objects.filter(
        brand__in=brands.values("pk"), brand__active=True, answered_at__isnull=True
    )
    for revisit in open_ones.filter(due_on__lte=as_of):
        state = revisits.state(revisit, as_of)
        result.revisits_due += state == "due"
        result.revisits_overdue += state == "overdue"
    result.inactive = brands.filter(active=False, inactive_on__lte=as_of).count()
    return result


def unit_brands_value(parameter: str, unit, as_of: datetime.date) -> MeasureValue:
    """The measure behind a task linked to a campaign: the unit's brands, for its report."""
    campaign = Campaign.objects.filter(year=int(parameter)).first() if parameter.isdigit() else None
    if campaign is None:
        return MeasureValue(value=f"{parameter}年尚未开启品牌申报")
    brands = list(
        Brand.objects.filter(campaign=campaign, unit=unit, created_at__date__lte=as_of).order_by("id")
    )
    lines = []
    for b in brands:
        named = f"，{b.named_on:%Y年%m月%d日}命名" if b.named_on else ""
        where = b.organization.name if b.organization_id else (b.region.name if b.region_id else "")
        lines.append(
            f"{b.name}（{b.get_level_display()}，{b.get_stage_display()}{named}{'，' + where if where else ''}）"
            + ("" if b.active else "——已停止运行")
        )
    if not brands:
        return MeasureValue(
            value=f"本单位尚未登记品牌（截止 {campaign.deadline:%m月%d日}）",
            status=ProgressStatus.NOT_STARTED,
            percent=0,
        )
    named = sum(1 for b in brands if b.stage == Stage.NAMED)
    return MeasureValue(
        value=f"本单位已申报品牌/示范点 {len(brands)} 个，其中已命名 {named} 个",
        lines=lines,
        status=ProgressStatus.DONE,
        percent=100,
    )


def _campaign_years() -> list[tuple[str, str]]:
    return [(str(c.year), c.title) for c in Campaign.objects.order_by("-year")]


CAMPAIGN_MEASURE = Measure(
    key="brands.campaign", label="品牌申报", compute=unit_brands_value, parameters=_campaign_years
)
