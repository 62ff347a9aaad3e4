"""Suggested joint branches (联合组建): organizations without a party organization and with 1–2
正式党员, grouped by functional area (园区/楼宇/市场), else by township and industry, each group
reaching at least 3 members and holding at most 5 organizations. Accepting one creates the
branch through `services.save_party_org` (audited)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from liangxin.core.models import Area, Industry, Region
from liangxin.coverage import blindspots, engine, services
from liangxin.coverage.models import Formation, PartyOrganization, PartyOrgType
from liangxin.registry.models import Organization

MIN_MEMBERS = 3
CANDIDATE_STATUSES = (engine.NONE, engine.WORK)


@dataclass
class Proposal:
    label: str
    area_id: int | None
    organizations: list[dict] = field(default_factory=list)

    @property
    def members(self) -> int:
        return sum(o["party_members"] for o in self.organizations)

    @property
    def key(self) -> str:
        return ",".join(str(o["pk"]) for o in sorted(self.organizations, key=lambda o: o["pk"]))


def candidates(visible_orgs: QuerySet, *, as_of: datetime.date, scope: str = "all") -> QuerySet:
    return engine.organizations_with_status(visible_orgs, as_of=as_of, scope=scope).filter(
        coverage__in=CANDIDATE_STATUSES, party_members__gte=1, party_members__lt=MIN_MEMBERS
    )


def suggest(
    visible_orgs: QuerySet, *, as_of: datetime.date, scope: str = "all", limit: int = 200
) -> list[Proposal]:
    max_orgs, _ = blindspots.joint_limits()
    rows = list(
        candidates(visible_orgs, as_of=as_of, scope=scope)
        .order_by("area_id", "township_code", "industry_section", "-party_members", "pk")
        .values(
            "pk",
            "name",
            "credit_code",
            "party_members",
            "area_id",
            "township_code",
            "county_code",
            "industry_section",
        )[:20000]
    )
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        key = (
            ("area", row["area_id"])
            if row["area_id"]
            else ("region", row["township_code"] or row["county_code"], row["industry_section"])
        )
        groups.setdefault(key, []).append(row)
    areas = dict(
        Area.objects.filter(pk__in=[k[1] for k in groups if k[0] == "area"]).values_list("pk", "name")
    )
    regions = dict(
        Region.objects.filter(code__in=[k[1] for k in groups if k[0] == "region"]).values_list("code", "name")
    )
    sections = dict(Industry.objects.filter(code__regex=r"^[A-Z]$").values_list("code", "name"))
    proposals: list[Proposal] = []
    for key, members in groups.items():
        if key[0] == "area":
            label, area_id = areas.get(key[1], ""), key[1]
        else:
            label, area_id = regions.get(key[1], "") + (sections.get(key[2], "") if key[2] else ""), None
        current = Proposal(label, area_id)
        for row in members:  # largest first: fewest organizations per branch
            current.organizations.append(row)
            if current.members >= MIN_MEMBERS:
                proposals.append(current)
                current = Proposal(label, area_id)
            elif len(current.organizations) >= max_orgs:
                current = Proposal(label, area_id)
        if len(proposals) >= limit:
            break
    return proposals[:limit]


def _unique_name(base: str) -> str:
    name, n = base, 1
    while PartyOrganization.objects.filter(name=name).exists():
        n += 1
        name = f"{base}（{n}）"
    return name


@transaction.atomic
def accept(
    organization_ids: list[int],
    *,
    actor,
    visible_orgs: QuerySet,
    as_of: datetime.date,
    today: datetime.date,
    name: str = "",
) -> PartyOrganization:
    """Create the joint branch of a proposal, after checking it again against today's data."""
    max_orgs, _ = blindspots.joint_limits()
    ids = sorted(set(organization_ids))
    if not 2 <= len(ids) <= max_orgs:
        raise ValidationError(f"联合党支部应覆盖 2 至 {max_orgs} 个组织，本建议有 {len(ids)} 个")
    orgs = list(candidates(visible_orgs, as_of=as_of).filter(pk__in=ids).select_related("area", "region"))
    if len(orgs) != len(ids):
        found = {o.pk for o in orgs}
        missing = Organization.objects.filter(pk__in=[i for i in ids if i not in found])
        names = "、".join(visible_orgs.filter(pk__in=missing.values("pk")).values_list("name", flat=True))
        raise ValidationError(
            f"组织{('“' + names + '”') if names else ''}已有党组织覆盖、党员人数已变化或不在您的管辖范围内，请刷新建议后再试"
        )
    total = sum(o.party_members for o in orgs)
    if total < MIN_MEMBERS:
        raise ValidationError(f"这些组织合计正式党员 {total} 名，不足 {MIN_MEMBERS} 名，不能组建联合党支部")
    areas = {o.area_id for o in orgs}
    area = orgs[0].area if len(areas) == 1 and orgs[0].area_id else None
    region = services.common_region(orgs)
    base = (
        name.strip()
        or f"{area.name if area else region.name}{'非公企业' if orgs[0].kind == 'enterprise' else '社会组织'}联合党支部"
    )
    party_org, _ = services.save_party_org(
        None,
        actor=actor,
        today=today,
        organizations=orgs,
        name=_unique_name(base),
        org_type=PartyOrgType.BRANCH,
        formation=Formation.JOINT,
        founded_on=today,
        area=area,
        region=region,
        source_detail="采纳联合组建建议",
    )
    return party_org
