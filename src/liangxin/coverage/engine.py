"""The coverage engine: the only place the rules of domain.md §4 live.

* An organization is **in scope** as of D when its kind is 非公企业/社会组织, its registration
  status is 存续/在业 and its founding date, where known, is on or before D; named narrower
  scopes (三有, 规上, a tag) filter further.
* Its **status** as of D is the first that holds: ``single`` (an active 单独组建 party organization
  covers it) › ``joint`` (an active 联合组建 one does) › ``work`` (an instructor is assigned) ›
  ``none``. A party organization is active from its founding date (else the date it was recorded)
  until its dissolution (a 撤销 one without a date covers nothing); a link and an assignment from
  their start date until their end date (exclusive).
* **应建未建** = 正式党员 ≥ 3 and status ≠ single. **uncovered** = status none.

Everything is SQL and the precedence is stated once (`covering_conditions`). A table is one
query, summed in Python over its few result rows: below the city each organization's status is
found by correlated subqueries (`rank_expression`); city-wide each organization the covering
rows reach gets its best rank once and only those are joined (`_ranked_counts`). Many dates (the
cockpit's 12 month-ends) are one query too (`coverage_series`, `coverage_tables`). No loop over
organizations; the same answer on SQLite and PostgreSQL (tests hold the three ways equal).
Callers pass the organizations the user may see (``Organization.objects.restrict(user)``), so
every figure is scoped.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from liangxin.core.models import Area, Industry, Installation, Region, RegionLevel
from liangxin.core.rates import percent_of, ratio
from liangxin.coverage.models import Assignment, CoverageLink, Formation, PartyOrgStatus
from liangxin.registry.models import COUNTED_STATUSES, OrganizationTag, OrgKind

SINGLE, JOINT, WORK, NONE = "single", "joint", "work", "none"
STATUSES = (SINGLE, JOINT, WORK, NONE)
STATUS_LABELS = {SINGLE: "单独组建", JOINT: "联合组建", WORK: "工作覆盖", NONE: "未覆盖"}
SCOPE_LABELS = {"all": "全部", "三有": "“三有”组织", "规上": "规上企业"}
UNRANKED = 9  # a covering row that gives no status on a date (one decimal digit, see `_series`)
SERIES_DATES = 18  # dates per statement of `coverage_series`: their ranks fit in one 64-bit integer
BY_CHOICES = ("region", "county", "township", "area", "industry", "kind", "tag")
CITY_LEVEL = "市本级"  # the row of a county table for organizations that belong to the city itself


class CoverageError(ValueError):
    """A bad argument (scope, grouping, region); ``message`` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def should_build_members() -> int:
    return settings.LIANGXIN_SINGLE_BRANCH_MIN_MEMBERS


def sanyou_thresholds() -> tuple[int, int]:
    """(非公企业 employees, 社会组织 staff) from which an organization is “三有”."""
    return (
        settings.LIANGXIN_SANYOU_ENTERPRISE_EMPLOYEES,
        settings.LIANGXIN_SANYOU_SOCIAL_STAFF,
    )


# ----------------------------------------------------------------------------- the rules


def party_org_active_q(as_of: datetime.date, prefix: str = "") -> Q:
    """The party organization (at ``prefix``) exists on `as_of`."""
    p = prefix
    founded = Q(**{f"{p}founded_on__lte": as_of}) | Q(
        **{f"{p}founded_on__isnull": True, f"{p}recorded_on__lte": as_of}
    )
    alive = Q(**{f"{p}status": PartyOrgStatus.ACTIVE, f"{p}dissolved_on__isnull": True}) | Q(
        **{f"{p}dissolved_on__gt": as_of}
    )
    return founded & alive


def link_dates_q(as_of: datetime.date, prefix: str = "") -> Q:
    """The CoverageLink (at ``prefix``) runs on `as_of`."""
    p = prefix
    return (Q(**{f"{p}starts_on__isnull": True}) | Q(**{f"{p}starts_on__lte": as_of})) & (
        Q(**{f"{p}ends_on__isnull": True}) | Q(**{f"{p}ends_on__gt": as_of})
    )


def link_active_q(as_of: datetime.date) -> Q:
    """A CoverageLink that covers on `as_of`."""
    return link_dates_q(as_of) & party_org_active_q(as_of, "party_org__")


def assignment_active_q(as_of: datetime.date, prefix: str = "") -> Q:
    p = prefix
    return Q(**{f"{p}starts_on__lte": as_of}) & (
        Q(**{f"{p}ends_on__isnull": True}) | Q(**{f"{p}ends_on__gt": as_of})
    )


def covering_conditions(as_of: datetime.date) -> list[tuple[str, type[models.Model], Q]]:
    """(status, the model of the covering rows, when such a row gives that status on `as_of`),
    in order of precedence. The one statement of single › joint › work; `none` is what none of
    them reaches."""
    link = link_active_q(as_of)
    return [
        (SINGLE, CoverageLink, Q(party_org__formation=Formation.SINGLE) & link),
        (JOINT, CoverageLink, Q(party_org__formation=Formation.JOINT) & link),
        (WORK, Assignment, assignment_active_q(as_of)),
    ]


def covering_sets(as_of: datetime.date) -> list[tuple[str, QuerySet]]:
    """(status, the links or assignments that give it on `as_of`), in order of precedence."""
    return [(status, model.objects.filter(q)) for status, model, q in covering_conditions(as_of)]


def status_expression(as_of: datetime.date) -> Case:
    """The coverage status of the outer Organization row on `as_of`: the first set reaching it
    (EXISTS per row, proportional to the rows asked about)."""
    return Case(
        *[
            When(Exists(rows.filter(organization_id=OuterRef("pk"))), then=Value(status))
            for status, rows in covering_sets(as_of)
        ],
        default=Value(NONE),
        output_field=CharField(),
    )


def rank_expression(as_of: datetime.date) -> Coalesce:
    """The outer Organization row's status on `as_of` as its 1-based index in STATUSES (4: none):
    one correlated subquery per kind of covering row rather than one per status — the best rank
    among its links (MIN of a CASE over the statuses they give), then EXISTS on its assignments.
    Both kinds are contiguous in the order of precedence, so the first that answers wins."""
    kinds: list[tuple[type[models.Model], list[tuple[int, Q]]]] = []
    for rank, (_, model, q) in enumerate(covering_conditions(as_of), start=1):
        if kinds and kinds[-1][0] is model:
            kinds[-1][1].append((rank, q))
        else:
            assert model not in (kind for kind, _ in kinds), "a kind of covering row must be contiguous"
            kinds.append((model, [(rank, q)]))
    parts = []
    for model, ranks in kinds:
        rows = model.objects.filter(organization_id=OuterRef("pk")).order_by()
        if len(ranks) == 1:
            ((rank, q),) = ranks
            parts.append(Case(When(Exists(rows.filter(q)), then=Value(rank)), output_field=IntegerField()))
            continue
        best = Min(Case(*[When(q, then=Value(rank)) for rank, q in ranks], output_field=IntegerField()))
        parts.append(Subquery(rows.values("organization_id").annotate(best=best).values("best")))
    return Coalesce(*parts, Value(len(STATUSES)), output_field=IntegerField())


def parse_scope(scope: str | None) -> str:
    """'all' | '三有' | '规上' | 'tag:NAME' (also 'sanyou', 'above_scale' for shells)."""
    scope = (scope or "all").strip()
    aliases = {"": "all", "全部": "all", "sanyou": "三有", "above_scale": "规上", "guishang": "规上"}
    scope = aliases.get(scope, scope)
    if scope in SCOPE_LABELS:
        return scope
    if scope.startswith(("tag:", "标签:", "标签：")):
        name = scope.split(":", 1)[-1].split("：", 1)[-1].strip()
        if name:
            return f"tag:{name}"
    raise CoverageError(f"无法识别的统计范围“{scope}”，应为 all、三有、规上 或 tag:标签名")


def scope_label(scope: str) -> str:
    scope = parse_scope(scope)
    return SCOPE_LABELS.get(scope) or f"标签“{scope[4:]}”"


def in_scope_q(as_of: datetime.date, scope: str = "all") -> Q:
    """The denominator: organizations counted on `as_of` under the named scope."""
    scope = parse_scope(scope)
    q = (
        Q(kind__in=[OrgKind.ENTERPRISE, OrgKind.SOCIAL])
        & Q(status__in=COUNTED_STATUSES)
        & (Q(founded_on__isnull=True) | Q(founded_on__lte=as_of))
    )
    if scope == "三有":
        enterprise_min, social_min = sanyou_thresholds()
        q &= Q(kind=OrgKind.ENTERPRISE, employees__gte=enterprise_min) | Q(
            kind=OrgKind.SOCIAL, employees__gte=social_min
        )
    elif scope == "规上":
        q &= Q(above_scale=True)
    elif scope.startswith("tag:"):
        q &= Q(pk__in=OrganizationTag.objects.filter(tag__name=scope[4:]).values("organization_id"))
    return q


def organizations_with_status(visible_to: QuerySet, *, as_of: datetime.date, scope: str = "all") -> QuerySet:
    """The in-scope organizations of `visible_to`, each annotated with ``coverage`` (its status)."""
    return visible_to.filter(in_scope_q(as_of, scope)).annotate(coverage=status_expression(as_of))


def should_build_q() -> Q:
    """On a queryset from `organizations_with_status`: the 应建未建 organizations."""
    return Q(party_members__gte=should_build_members()) & ~Q(coverage=SINGLE)


# ----------------------------------------------------------------------------- figures


def _rate(part: int, whole: int, places: str) -> Decimal:
    if not whole:
        return Decimal(0).quantize(Decimal(places))
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    code: str
    name: str
    total: int = 0
    single: int = 0
    joint: int = 0
    work: int = 0
    none: int = 0
    should_build: int = 0

    def add(self, other: Figures) -> None:
        for key in ("total", "single", "joint", "work", "none", "should_build"):
            setattr(self, key, getattr(self, key) + getattr(other, key))

    @property
    def covered(self) -> int:
        return self.single + self.joint

    def rate(self, part: int) -> Decimal:
        """part ÷ total as the exact fraction (0 when empty): shown, it is rounded once, by
        `liangxin.core.rates` — a fraction rounded to four places first put 62.35% (62.349…)
        in the cockpit as 62.4% beside the bulletin's 62.3%."""
        return ratio(part, self.total) or Decimal(0)

    def fraction(self, part: int) -> float:
        """part ÷ total as JSON gives it: a fraction with four places (0.3810)."""
        return float(_rate(part, self.total, "0.0001"))

    @property
    def org_rate(self) -> Decimal:
        return self.rate(self.single + self.joint)

    @property
    def single_rate(self) -> Decimal:
        return self.rate(self.single)

    @property
    def work_rate(self) -> Decimal:
        return self.rate(self.single + self.joint + self.work)

    def pct(self, part: int) -> Decimal:
        """part ÷ total as a one-decimal percentage (the one rule, `liangxin.core.rates`); 0.0 when empty."""
        percent = percent_of(part, self.total)
        return Decimal("0.0") if percent is None else percent

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "total": self.total,
            "in_scope": self.total,
            "single": self.single,
            "joint": self.joint,
            "work": self.work,
            "none": self.none,
            "uncovered": self.none,
            "org_rate": self.fraction(self.single + self.joint),
            "single_rate": self.fraction(self.single),
            "work_rate": self.fraction(self.single + self.joint + self.work),
            "org_rate_pct": float(self.pct(self.single + self.joint)),
            "single_rate_pct": float(self.pct(self.single)),
            "work_rate_pct": float(self.pct(self.single + self.joint + self.work)),
            "should_build": self.should_build,
        }


@dataclass
class CoverageTable:
    as_of: datetime.date
    scope: str
    by: str
    region: Region | None
    rows: list[Figures] = field(default_factory=list)
    total: Figures = field(default_factory=lambda: Figures("", "合计"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "scope": self.scope,
            "region": self.region.code if self.region else None,
            "by": self.by,
            "rows": [r.as_dict() for r in self.rows],
            "total": self.total.as_dict(),
        }


def _grouping(by: str, region: Region | None) -> tuple[str, str]:
    """(grouping name, Organization field to group on)."""
    if by == "region":
        level = region.level if region else RegionLevel.CITY
        by = {
            RegionLevel.PROVINCE: "county",
            RegionLevel.CITY: "county",
            RegionLevel.COUNTY: "township",
        }.get(level, "area")
    fields = {
        "county": "county_code",
        "township": "township_code",
        "area": "area_id",
        "industry": "industry_section",
        "kind": "kind",
        "tag": "tags__name",
    }
    if by not in fields:
        raise CoverageError(f"无法识别的分组方式“{by}”，应为 {'、'.join(BY_CHOICES)} 之一")
    return by, fields[by]


def _names(by: str, region: Region | None) -> dict[Any, str]:
    """Every row the table shows even when empty (the children regions), with names."""
    if by == "county":
        parent = region if region and region.level != RegionLevel.PROVINCE else Installation.current_city()
        return dict(
            Region.objects.filter(parent=parent, level=RegionLevel.COUNTY).values_list("code", "name")
        )
    if by == "township":
        regions = Region.objects.filter(level=RegionLevel.TOWNSHIP)
        if region is not None and region.level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
            regions = regions.filter(**{f"{region.level}_code": region.code})
        return dict(regions.values_list("code", "name"))
    if by == "area":
        areas = Area.objects.all()
        if region is not None and region.level != RegionLevel.PROVINCE:
            areas = areas.filter(**{f"{region.level}_code": region.code})
        return dict(areas.values_list("pk", "name"))
    if by == "industry":
        return dict(Industry.objects.filter(code__regex=r"^[A-Z]$").values_list("code", "name"))
    if by == "kind":
        return dict(OrgKind.choices)
    return {}


def _narrowed(visible_to: QuerySet, region: Region | None, filters: Q | None, as_of, scope) -> QuerySet:
    orgs = visible_to
    if region is not None and region.level != RegionLevel.PROVINCE:
        orgs = orgs.filter(**{f"{region.level}_code": region.code})
    if filters is not None:
        orgs = orgs.filter(filters)
    return orgs.filter(in_scope_q(as_of, scope))


def _is_narrow(region: Region | None) -> bool:
    """Below the city the rows are few: evaluate each one's status rather than drive from the
    city-wide id sets (see `_counts`)."""
    return region is not None and region.level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP)


def _table(counts: dict[Any, Figures], by_name: str, region: Region | None, as_of, scope) -> CoverageTable:
    names = _names(by_name, region)
    rows: dict[Any, Figures] = {key: Figures(str(key), name) for key, name in names.items()}
    for key, figures in counts.items():
        row = rows.get(key)
        if row is None:
            label = {"tag": key, "industry": "未填行业"}.get(by_name, "")
            if by_name == "county" and not key:
                label = CITY_LEVEL  # registered by the city itself (domain.md §8), beside the counties
            row = rows[key] = Figures(str(key), label or names.get(key) or "未细分（直属）")
        row.add(figures)
    table = CoverageTable(as_of=as_of, scope=scope, by=by_name, region=region)
    table.rows = sorted(rows.values(), key=lambda r: (r.code == "", r.code))
    for row in table.rows:
        table.total.add(row)
    if region is not None:
        table.total.code, table.total.name = region.code, region.name
    return table


def coverage(
    visible_to: QuerySet,
    *,
    as_of: datetime.date,
    scope: str = "all",
    by: str = "region",
    region: Region | None = None,
    filters: Q | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CoverageTable:
    """The coverage table of the organizations in `visible_to` on `as_of`, one row per group.

    `by`: ``region`` (the direct children of `region`, default the city), ``county``,
    ``township``, ``area``, ``industry`` (门类), ``kind`` or ``tag``. `filters` narrows further
    (e.g. one industry). One query (two for ``tag``, whose rows overlap). `progress(done, total)`
    (a terminal's bar) moves by one per query and once when the table is made."""
    scope = parse_scope(scope)
    by_name, group_field = _grouping(by, region)
    step = progress or (lambda done, total: None)
    steps = 3 if by_name == "tag" else 2
    step(0, steps)
    in_scope = _narrowed(visible_to, region, filters, as_of, scope)
    counts = {key[0]: f for key, f in _counts(in_scope, (group_field,), as_of, _is_narrow(region)).items()}
    step(1, steps)
    table = _table(counts, by_name, region, as_of, scope)
    if by_name == "tag":
        table.rows = [r for r in table.rows if r.total and r.code]  # untagged: no row
        table.total = coverage(
            visible_to, as_of=as_of, scope=scope, by="kind", region=region, filters=filters
        ).total
        step(2, steps)
        if region is not None:
            table.total.code, table.total.name = region.code, region.name
    step(steps, steps)
    return table


def drilldown(
    visible_to: QuerySet,
    *,
    as_of: datetime.date,
    scope: str = "all",
    region: Region,
    filters: Q | None = None,
) -> tuple[CoverageTable, CoverageTable | None]:
    """The children of `region` and, below the city, its functional areas (园区/楼宇/市场) —
    both from one query grouped by (child, area)."""
    scope = parse_scope(scope)
    by_name, group_field = _grouping("region", region)
    if by_name == "area" or region.level in (RegionLevel.PROVINCE, RegionLevel.CITY):
        return coverage(visible_to, as_of=as_of, scope=scope, region=region, filters=filters), None
    in_scope = _narrowed(visible_to, region, filters, as_of, scope)
    counts = _counts(in_scope, (group_field, "area_id"), as_of, _is_narrow(region))
    return _children_and_parks(counts, by_name, region, as_of, scope)


def drilldowns(
    visible_to: QuerySet,
    *,
    dates: list[datetime.date],
    scope: str = "all",
    region: Region,
    filters: Q | None = None,
) -> list[tuple[CoverageTable, CoverageTable | None]]:
    """`drilldown(...)` on each of `dates` (the page's day and the end of the month before, for
    the change column), from one statement for up to `SERIES_DATES` dates."""
    scope = parse_scope(scope)
    by_name, group_field = _grouping("region", region)
    if by_name == "area" or region.level in (RegionLevel.PROVINCE, RegionLevel.CITY):
        tables = coverage_tables(visible_to, dates=dates, scope=scope, region=region, filters=filters)
        return [(table, None) for table in tables]
    points = _over_dates(visible_to, dates, (group_field, "area_id"), scope, region, filters)
    return [_children_and_parks(points[day], by_name, region, day, scope) for day in dates]


def _children_and_parks(
    counts: dict[tuple, Figures], by_name: str, region: Region, as_of, scope
) -> tuple[CoverageTable, CoverageTable]:
    children: dict[Any, Figures] = {}
    areas: dict[Any, Figures] = {}
    for (child, area), figures in counts.items():
        children.setdefault(child, Figures(str(child), "")).add(figures)
        if area not in ("", None):
            areas.setdefault(area, Figures(str(area), "")).add(figures)
    parks = _table(areas, "area", region, as_of, scope)
    parks.rows = [r for r in parks.rows if r.total]
    return _table(children, by_name, region, as_of, scope), parks


def _counts(
    in_scope: QuerySet, fields: tuple[str, ...], as_of: datetime.date, narrow: bool
) -> dict[tuple, Figures]:
    """Figures per group (a tuple of `fields` values) in one query.

    Narrow (a county or township): each in-scope row gets its status (`rank_expression`, two
    correlated subqueries per row) and rows are grouped by (group, status). City-wide: `_ranked_counts` — the
    in-scope total per group, and per group and status the organizations whose best covering
    row has that status; `none` is the rest. Both read `covering_sets`, and tests hold them
    equal."""
    min_members = should_build_members()
    base = in_scope.order_by()
    result: dict[tuple, Figures] = {}

    def figures(item) -> Figures:
        key = tuple("" if item[f] is None else item[f] for f in fields)
        return result.setdefault(key, Figures(str(key[0]), ""))

    def counted(queryset: QuerySet, *extra: str, **labels) -> QuerySet:
        return queryset.values(*fields, *extra).annotate(
            **labels, n=Count("pk"), members=Count("pk", filter=Q(party_members__gte=min_members))
        )

    if narrow:
        for item in counted(base.annotate(rank=rank_expression(as_of)), "rank"):
            row, status = figures(item), STATUSES[item["rank"] - 1]
            row.total += item["n"]
            setattr(row, status, getattr(row, status) + item["n"])
            row.should_build += item["members"] if status != SINGLE else 0
        return result

    for item in _ranked_counts(base, fields, as_of, min_members):
        row = figures(item)
        if item["rank"] == 0:  # every in-scope organization of the group
            row.total += item["n"]
            row.none += item["n"]
            row.should_build += item["members"]
        else:  # those whose best covering set is this one
            status = STATUSES[item["rank"] - 1]
            setattr(row, status, getattr(row, status) + item["n"])
            row.none -= item["n"]
            row.should_build -= item["members"] if status == SINGLE else 0
    return result


def _ranked_counts(
    base: QuerySet, fields: tuple[str, ...], as_of: datetime.date, min_members: int
) -> list[dict]:
    """City-wide figures in one statement, driven by the covering rows rather than by a million
    organizations: each organization a covering set reaches gets its best rank (1 = single …, the
    MIN over the sets of `covering_sets`, once per organization), and only those are joined
    to the in-scope organizations; a second GROUP BY counts every in-scope organization.

    The statement is composed from the compiled querysets (the caller's scoping included), so
    SQLite and PostgreSQL run the same SQL: a UNION ALL of GROUP BYs of a few hundred rows."""
    keys = {f"g{i}": F(f) for i, f in enumerate(fields)}
    orgs_sql, orgs_params = base.values(oid=F("pk"), m=F("party_members"), **keys).query.sql_with_params()
    ranked_sql, ranked_params = [], []
    for rank, (_, rows) in enumerate(covering_sets(as_of), start=1):
        sql, params = (
            rows.order_by().values(oid=F("organization_id"), r=Value(rank, output_field=IntegerField()))
        ).query.sql_with_params()
        ranked_sql.append(sql)
        ranked_params.extend(params)
    group = ", ".join(f"o.{key}" for key in keys)
    members = "SUM(CASE WHEN o.m >= %s THEN 1 ELSE 0 END)"
    # Only compiled querysets and fixed aliases are pasted; every value is a parameter.
    sql = (
        f"SELECT {group}, c.r, COUNT(*), {members}"  # noqa: S608
        f" FROM (SELECT u.oid, MIN(u.r) AS r FROM ({' UNION ALL '.join(ranked_sql)}) u GROUP BY u.oid) c"
        f" INNER JOIN ({orgs_sql}) o ON o.oid = c.oid GROUP BY {group}, c.r"
        f" UNION ALL SELECT {group}, 0, COUNT(*), {members} FROM ({orgs_sql}) o GROUP BY {group}"
    )
    params = [min_members, *ranked_params, *orgs_params, min_members, *orgs_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            dict(zip(fields, values[: len(fields)], strict=True))
            | dict(zip(("rank", "n", "members"), values[len(fields) :], strict=True))
            for values in cursor.fetchall()
        ]


def coverage_series(
    visible_to: QuerySet,
    *,
    dates: list[datetime.date],
    scope: str = "all",
    region: Region | None = None,
    filters: Q | None = None,
) -> list[Figures]:
    """The total of `coverage(...)` on each of `dates` (e.g. the last 12 month-ends), from one
    statement for up to `SERIES_DATES` dates instead of one per date."""
    name = (region.code, region.name) if region is not None else ("", "合计")
    points = _over_dates(visible_to, dates, (), scope, region, filters)
    result = {day: by_group.get((), Figures(*name)) for day, by_group in points.items()}
    for figures in result.values():
        figures.code, figures.name = name
    return [result[day] for day in dates]


def coverage_tables(
    visible_to: QuerySet,
    *,
    dates: list[datetime.date],
    scope: str = "all",
    by: str = "region",
    region: Region | None = None,
    filters: Q | None = None,
) -> list[CoverageTable]:
    """`coverage(...)` on each of `dates`, from one statement for up to `SERIES_DATES` dates (the
    cockpit's bars and its 12-month line). Not for ``tag``, whose rows overlap."""
    scope = parse_scope(scope)
    by_name, group_field = _grouping(by, region)
    if by_name == "tag":
        raise CoverageError("按标签分组的表只能逐日计算")
    points = _over_dates(visible_to, dates, (group_field,), scope, region, filters)
    tables = {
        day: _table({key[0]: f for key, f in by_group.items()}, by_name, region, day, scope)
        for day, by_group in points.items()
    }
    return [tables[day] for day in dates]


def _over_dates(
    visible_to, dates, fields, scope, region, filters
) -> dict[datetime.date, dict[tuple, Figures]]:
    wanted = sorted(set(dates))
    scope = parse_scope(scope)
    result: dict[datetime.date, dict[tuple, Figures]] = {}
    for start in range(0, len(wanted), SERIES_DATES):
        days = wanted[start : start + SERIES_DATES]
        in_scope = _narrowed(visible_to, region, filters, days[-1], scope).order_by()
        result.update(zip(days, _series(in_scope, days, fields, _is_narrow(region)), strict=True))
    return result


def _series(
    in_scope: QuerySet, days: list[datetime.date], fields: tuple[str, ...], narrow: bool = False
) -> list[dict[tuple, Figures]]:
    """Figures per group on each of `days`, in one statement. Each covering row gets its rank on
    every day (a CASE per day over `covering_conditions`); each organization its best rank per
    day (packed as the decimal digits of one integer, day k at 10**k) and the index of the first
    day it is in scope; organizations are grouped by those two values and `fields`, and Python
    adds up the groups (a few hundred rows), never the organizations. `narrow` (a county or a
    township): only the covering rows of the in-scope organizations are read, not the city's."""
    count = len(days)
    first_counted = Case(
        When(Q(founded_on__isnull=True) | Q(founded_on__lte=days[0]), then=Value(0)),
        *[When(founded_on__lte=day, then=Value(k)) for k, day in enumerate(days[1:], start=1)],
        default=Value(count),
        output_field=IntegerField(),
    )
    keys = {f"g{i}": F(f) for i, f in enumerate(fields)}
    orgs_sql, orgs_params = in_scope.values(
        oid=F("pk"), m=F("party_members"), fb=first_counted, **keys
    ).query.sql_with_params()
    ranked_sql, ranked_params = [], []
    conditions = [covering_conditions(day) for day in days]
    for model in dict.fromkeys(model for _, model, _ in conditions[0]):
        ranks = {
            f"r{k}": Case(
                *[When(q, then=Value(rank)) for rank, (_, m, q) in enumerate(on_day, start=1) if m is model],
                default=Value(UNRANKED),
                output_field=IntegerField(),
            )
            for k, on_day in enumerate(conditions)
        }
        rows = model.objects.order_by()
        if narrow:
            rows = rows.filter(organization_id__in=in_scope.values("pk"))
        sql, params = rows.values(oid=F("organization_id"), **ranks).query.sql_with_params()
        ranked_sql.append(sql)
        ranked_params.extend(params)
    packed = " + ".join(f"CAST(MIN(u.r{k}) AS BIGINT) * {10**k}" for k in range(count))
    group = "".join(f", o.{key}" for key in keys)
    members = "SUM(CASE WHEN o.m >= %s THEN 1 ELSE 0 END)"
    # Only compiled querysets, fixed aliases and integer literals are pasted; values are parameters.
    sql = (
        f"SELECT o.fb, c.ranks, COUNT(*), {members}{group}"  # noqa: S608
        f" FROM (SELECT u.oid, {packed} AS ranks FROM ({' UNION ALL '.join(ranked_sql)}) u GROUP BY u.oid) c"
        f" INNER JOIN ({orgs_sql}) o ON o.oid = c.oid GROUP BY o.fb, c.ranks{group}"
        f" UNION ALL SELECT o.fb, 0, COUNT(*), {members}{group} FROM ({orgs_sql}) o GROUP BY o.fb{group}"
    )
    min_members = should_build_members()
    params = [min_members, *ranked_params, *orgs_params, min_members, *orgs_params]
    points: list[dict[tuple, Figures]] = [{} for _ in days]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for first, packed_ranks, n, members_n, *key in cursor.fetchall():
            key = tuple("" if value is None else value for value in key)
            for k in range(first, count):
                row, rank = (
                    points[k].setdefault(key, Figures(str(key[0]) if key else "", "")),
                    packed_ranks // 10**k % 10,
                )
                if rank == 0:  # every organization in scope on that day
                    row.total += n
                    row.none += n
                    row.should_build += members_n
                elif rank != UNRANKED:
                    status = STATUSES[rank - 1]
                    setattr(row, status, getattr(row, status) + n)
                    row.none -= n
                    row.should_build -= members_n if status == SINGLE else 0
    return points


def end_of_previous_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1) - datetime.timedelta(days=1)


def effective_work(visible_orgs: QuerySet, *, as_of: datetime.date, scope: str = "all"):
    """有效工作覆盖 per county and in total, beside the official figures (`effective.py`; the
    official 工作覆盖率 above is unchanged and stays the default)."""
    from liangxin.coverage import effective

    return effective.effective_work(visible_orgs, as_of=as_of, scope=scope)
