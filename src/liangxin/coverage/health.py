"""The health list of party organizations (有形覆盖 → 有效覆盖): one function decides every flag,
its reason and the day it started (`since`); the page, its export, the quality view and
`liangxin health` call it. Every formation is on the list (单独组建, 联合组建, 行业党委); the
inspection flags come from 常态化排查, which is made of joint branches only, so ``not_inspected``
is asked of joint branches only.

Flags, as of a day D (only facts dated on or before D count):

* ``poor_rating``: the branch's latest inspection rated it 差 — since that inspection;
* ``meetings_not_held``: its latest inspection of D's quarter recorded 三会一课 not held — since
  that inspection (a later inspection of the quarter that found them held clears it);
* ``findings_lacking``: its latest inspection found 组织生活会, 党费, 阵地 or 党员联系 not done
  (`models.FINDINGS`) — since that inspection (a later one that finds them done, or did not
  check them, clears it);
* ``not_inspected`` (joint branches): no inspection for more than
  `LIANGXIN_INSPECTION_INTERVAL_DAYS` (90) — since the day after the interval ran out (counted
  from the last inspection, or from the founding);
* ``secretary_vacant``: vacant for more than 3 months — since the vacancy began;
* ``term_overdue``: the term ended before D and no 换届 has been recorded — since the day after;
* ``closed_org``: an organization it covers is 注销/吊销;
* ``rectification_overdue``: a 整改 past its due date and not closed by D — since the day after
  the earliest such due date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from liangxin.core.models import Region
from liangxin.coverage import engine
from liangxin.coverage.blindspots import existing_party_orgs, months_before, quarter_start
from liangxin.coverage.models import (
    FINDINGS,
    BranchInspection,
    CoverageLink,
    Formation,
    Rating,
    Rectification,
)
from liangxin.registry.models import CLOSED_STATUSES

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Flag:
    code: str
    label: str


FLAGS = (
    Flag("poor_rating", "最近一次排查评定为“差”"),
    Flag("meetings_not_held", "本季度未开展“三会一课”"),
    Flag("findings_lacking", "组织生活会、党费、阵地或党员联系未落实"),
    Flag("not_inspected", "超期未排查"),
    Flag("secretary_vacant", "书记空缺超过3个月"),
    Flag("term_overdue", "超期未换届"),
    Flag("closed_org", "所覆盖组织已注销/吊销"),
    Flag("rectification_overdue", "整改逾期"),
)
BY_CODE = {f.code: f for f in FLAGS}
# The counts `liangxin health --json` reports (the keys, in its order).
COUNTED = ("poor_rating", "meetings_not_held", "not_inspected", "term_overdue", "rectification_overdue")


def inspection_interval_days() -> int:
    return settings.LIANGXIN_INSPECTION_INTERVAL_DAYS


@dataclass(frozen=True)
class FlagHit:
    code: str
    label: str
    since: datetime.date | None
    reason: str


def branches(
    visible_party_orgs: QuerySet,
    *,
    as_of: datetime.date,
    flag: str = "",
    flagged_only: bool = False,
    formation: str = "",
):
    """The party organizations (of `formation`; "": every one) existing on `as_of` with each
    flag as a boolean annotation (named by its code) and the dates its reasons need. `flag`
    keeps those carrying it; `flagged_only` those carrying any."""
    last = BranchInspection.objects.filter(party_org=OuterRef("pk"), inspected_on__lte=as_of).order_by(
        "-inspected_on", "-id"
    )
    in_quarter = last.filter(inspected_on__gte=quarter_start(as_of))
    closed = CoverageLink.objects.filter(
        engine.link_dates_q(as_of), party_org=OuterRef("pk"), organization__status__in=CLOSED_STATUSES
    )
    overdue = Rectification.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=as_of),
        party_org=OuterRef("pk"),
        opened_on__lte=as_of,
        due_on__lt=as_of,
    )
    earliest_due = overdue.order_by().values("party_org").annotate(first=Min("due_on")).values("first")
    interval = datetime.timedelta(days=inspection_interval_days())
    county = Region.objects.filter(code=OuterRef("county_code")).values("name")[:1]
    rows = existing_party_orgs(visible_party_orgs, as_of=as_of, formation=formation).annotate(
        county_name=Subquery(county),
        last_inspected_on=Subquery(last.values("inspected_on")[:1]),
        last_rating=Subquery(last.values("rating")[:1]),
        quarter_inspected_on=Subquery(in_quarter.values("inspected_on")[:1]),
        quarter_meetings_held=Subquery(in_quarter.values("meetings_held")[:1]),
        **{f"last_{field}": Subquery(last.values(field)[:1]) for field, _ in FINDINGS},
        closed_org=Exists(closed),
        rectification_overdue=Exists(overdue),
        overdue_due_on=Subquery(earliest_due[:1]),
    )
    rows = rows.annotate(
        inspected_from=Coalesce(F("last_inspected_on"), F("founded_on"), F("recorded_on")),
    ).annotate(
        poor_rating=Q(last_rating=Rating.POOR),
        meetings_not_held=Q(quarter_meetings_held=False),
        findings_lacking=_any_false(f"last_{field}" for field, _ in FINDINGS),
        not_inspected=Q(formation=Formation.JOINT, inspected_from__lt=as_of - interval),
        secretary_vacant=Q(secretary="")
        & (Q(secretary_vacant_since__isnull=True) | Q(secretary_vacant_since__lt=months_before(as_of, 3))),
        term_overdue=Q(term_ends_on__lt=as_of),
    )
    if flag in BY_CODE:
        rows = rows.filter(**{flag: True})
    if flagged_only:
        any_flag = Q()
        for f in FLAGS:
            any_flag |= Q(**{f.code: True})
        rows = rows.filter(any_flag)
    return rows.order_by("county_code", "name")


def _any_false(names) -> Q:
    q = Q()
    for name in names:
        q |= Q(**{name: False})
    return q


def _date(day: datetime.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def hits(p, *, as_of: datetime.date) -> list[FlagHit]:
    """The flags of one row of `branches`, each with its reason and since when."""
    interval = inspection_interval_days()
    out = []
    for f in FLAGS:
        if not getattr(p, f.code):
            continue
        if f.code == "poor_rating":
            since, reason = p.last_inspected_on, f"{_date(p.last_inspected_on)}排查评定为“差”"
        elif f.code == "meetings_not_held":
            since = p.quarter_inspected_on
            reason = f"{_date(since)}排查记录本季度未按要求开展“三会一课”"
        elif f.code == "findings_lacking":
            since = p.last_inspected_on
            lacking = [label for field, label in FINDINGS if getattr(p, f"last_{field}") is False]
            reason = f"{_date(since)}排查发现：{'、'.join(lacking)}"
        elif f.code == "not_inspected":
            since = p.inspected_from + datetime.timedelta(days=interval) + DAY
            reason = (
                f"最近一次排查为{_date(p.last_inspected_on)}，已超过{interval}天"
                if p.last_inspected_on
                else f"自{_date(p.inspected_from)}成立以来从未排查，已超过{interval}天"
            )
        elif f.code == "secretary_vacant":
            since = p.secretary_vacant_since
            reason = f"书记自{_date(since)}空缺" if since else "书记空缺（起始日期不详）"
        elif f.code == "term_overdue":
            since = p.term_ends_on + DAY
            reason = f"任期已于{_date(p.term_ends_on)}届满，未见换届"
        elif f.code == "closed_org":
            since, reason = None, "所覆盖组织中有已注销或吊销的"
        else:  # rectification_overdue
            since = p.overdue_due_on + DAY
            reason = f"整改时限{_date(p.overdue_due_on)}已过，尚未整改完成"
        out.append(FlagHit(f.code, f.label, since, reason))
    return out


def report(visible_party_orgs: QuerySet, *, as_of: datetime.date, formation: str = "") -> dict:
    """The health figures as `liangxin health --json` gives them (the effective-work part is
    added by the command from `visits`)."""
    counts = dict.fromkeys(COUNTED, 0)
    party_orgs = []
    rows = branches(visible_party_orgs, as_of=as_of, flagged_only=True, formation=formation)
    for p in rows.iterator(chunk_size=2000):
        found = hits(p, as_of=as_of)
        for hit in found:
            if hit.code in counts:
                counts[hit.code] += 1
        party_orgs.append(
            {
                "name": p.name,
                "formation": Formation(p.formation).label,
                "county": p.county_name or "市本级",
                "flags": [
                    {"code": h.code, "since": _date(h.since) or None, "reason": h.reason} for h in found
                ],
            }
        )
    return {"flags": counts, "party_orgs": party_orgs}


def figures(
    party_orgs: QuerySet,
    organizations: QuerySet,
    instructors: QuerySet,
    *,
    as_of: datetime.date,
    formation: str = "",
) -> dict:
    """`liangxin health --json` and the API: `report` plus the effective-work part (instructors
    without a visit in the period, 有效工作覆盖率 from `engine.effective_work` beside the official
    工作覆盖率)."""
    from liangxin.core.rates import to_percent
    from liangxin.coverage import effective

    result = report(party_orgs, as_of=as_of, formation=formation)
    result["instructors_without_visits"] = effective.instructors_without_visits(
        instructors, as_of=as_of
    ).count()
    _, total = engine.effective_work(organizations, as_of=as_of)
    rate = to_percent(total.effective_work_rate)
    result["effective_work_rate"] = None if rate is None else float(rate / 100)
    official = total.work_rate  # the official 口径, beside the effective one
    result["work_rate"] = None if official is None else float(official)
    return result
