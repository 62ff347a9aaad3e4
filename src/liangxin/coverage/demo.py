"""Deterministic demo coverage over whatever organizations exist: single branches for most
organizations with 3+ 正式党员, joint branches for groups of small ones in the same area or
township and industry, some dissolved, founding dates spread over 2015–2022 (so coverage grows
over the months of 2022 and differs between counties), instructors with assignments (one over
its load), and inspections of joint branches. Re-running adds nothing."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.db import transaction

from liangxin.accounts.models import User
from liangxin.core.models import Area, Industry, Region, RegionLevel
from liangxin.coverage.models import (
    Assignment,
    BranchInspection,
    CoverageLink,
    Formation,
    Instructor,
    PartyOrganization,
    PartyOrgStatus,
    PartyOrgType,
    Rating,
    Rectification,
    Visit,
)
from liangxin.registry.models import COUNTED_STATUSES, Organization

SEED = 20220531
VISIT_NOTES = (
    "宣讲党的创新理论，指导制定年度党建工作计划",
    "了解党员和入党积极分子情况，指导做好发展党员工作",
    "指导规范“三会一课”记录，讲解党费收缴标准",
    "走访企业负责人，推动党建工作与生产经营融合",
)
START = datetime.date(2015, 1, 1)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _founding(rng: random.Random, earliest: datetime.date | None) -> datetime.date:
    """Mostly before 2022; about a third during 2022, month by month (some after May)."""
    earliest = max(earliest or START, START)
    if rng.random() < 0.33:
        start = max(earliest, datetime.date(2022, 1, 1))
        end = datetime.date(2022, 12, 31)
    else:
        start, end = earliest, datetime.date(2021, 12, 31)
    if start >= end:
        return start
    return start + datetime.timedelta(days=rng.randrange((end - start).days))


def _codes(row: dict) -> dict:
    return {f"{level}_code": row[f"{level}_code"] for level in ("province", "city", "county", "township")}


def _org_type(members: int) -> str:
    if members >= 100:
        return PartyOrgType.COMMITTEE
    if members >= 50:
        return PartyOrgType.GENERAL_BRANCH
    return PartyOrgType.BRANCH


@transaction.atomic
def load(city: Region, out) -> None:
    if PartyOrganization.objects.exists():
        out.write("两个覆盖演示数据：已存在，未重复生成")
        return
    fields = ["pk", "name", "party_members", "founded_on", "area_id", "industry_section", "region_id"]
    fields += ["province_code", "city_code", "county_code", "township_code"]
    orgs = list(
        Organization.objects.filter(city_code=city.code, status__in=COUNTED_STATUSES)
        .order_by("pk")
        .values(*fields)
    )
    if not orgs:
        out.write("两个覆盖演示数据：还没有两新组织，跳过（请先生成台账演示数据）")
        return
    rng = random.Random(SEED)
    counties = list(Region.objects.filter(parent=city, level=RegionLevel.COUNTY).order_by("code"))
    # How far each county has got: differs between counties, the same on every run.
    reach = {c.code: 0.55 + 0.4 * rng.random() for c in counties}
    names = dict(Region.objects.filter(city_code=city.code).values_list("code", "name"))
    areas = dict(Area.objects.values_list("pk", "name"))
    sections = dict(Industry.objects.filter(code__regex=r"^[A-Z]$").values_list("code", "name"))
    today = datetime.date(2022, 12, 31)

    party_orgs: list[PartyOrganization] = []
    links: list[tuple[int, list[int]]] = []  # (index in party_orgs, organization ids)
    used_names: set[str] = set()

    def add(name: str, formation: str, members: int, row: dict, covered: list[dict]) -> None:
        base, n = name, 1
        while name in used_names:
            n += 1
            name = f"{base}（{n}）"
        used_names.add(name)
        latest = max((o["founded_on"] for o in covered if o["founded_on"]), default=None)
        founded = _founding(rng, latest)
        dissolved = None
        if rng.random() < 0.03:
            dissolved = founded + datetime.timedelta(days=rng.randrange(60, 900))
            dissolved = dissolved if dissolved <= today else None
        vacant = rng.random() < 0.06
        party_orgs.append(
            PartyOrganization(
                name=name,
                org_type=_org_type(members) if formation == Formation.SINGLE else PartyOrgType.BRANCH,
                formation=formation,
                region_id=row["region_id"],
                area_id=row["area_id"] if formation == Formation.JOINT else None,
                secretary="" if vacant else _person(rng),
                secretary_vacant_since=founded + datetime.timedelta(days=rng.randrange(30, 400))
                if vacant
                else None,
                founded_on=founded,
                recorded_on=founded,
                term_ends_on=founded + datetime.timedelta(days=3 * 365 if rng.random() < 0.85 else 2 * 365),
                status=PartyOrgStatus.DISSOLVED if dissolved else PartyOrgStatus.ACTIVE,
                dissolved_on=dissolved,
                **_codes(row),
            )
        )
        links.append((len(party_orgs) - 1, [o["pk"] for o in covered]))

    small: dict[tuple, list[dict]] = defaultdict(list)
    zeros: dict[tuple, list[dict]] = defaultdict(list)  # no members: may join a branch nearby
    rest: list[dict] = []
    for row in orgs:
        members = row["party_members"]
        if members >= 3:
            if rng.random() < reach.get(row["county_code"], 0.6) + 0.2:
                add(
                    f"{row['name']}党支部" if members < 50 else f"{row['name']}党委",
                    Formation.SINGLE,
                    members,
                    row,
                    [row],
                )
            else:
                rest.append(row)
        else:
            key = (
                (row["area_id"], "")
                if row["area_id"]
                else (None, row["township_code"] or row["county_code"], row["industry_section"])
            )
            (small if members else zeros)[key].append(row)
    oversized_left = 2
    for key, group in sorted(small.items(), key=lambda kv: str(kv[0])):
        serial = 0
        while group:
            batch, total = [], 0
            while group and len(batch) < 5 and total < 3:
                batch.append(group.pop())
                total += batch[-1]["party_members"]
            if total < 3 or rng.random() > reach.get(batch[0]["county_code"], 0.6):
                rest.extend(batch)
                continue
            limit = 7 if oversized_left and len(zeros[key]) >= 6 else 5  # a couple past the limit
            oversized_left -= limit == 7
            while zeros[key] and len(batch) < limit and (limit == 7 or rng.random() < 0.95):
                batch.append(zeros[key].pop())
            serial += 1
            place = areas.get(key[0]) if key[0] else names.get(key[1], "") + sections.get(key[2] or "", "")
            add(f"{place}第{serial}联合党支部", Formation.JOINT, total, batch[0], batch)

    for group in zeros.values():
        rest.extend(group)
    rest.sort(key=lambda row: row["pk"])
    created = PartyOrganization.objects.bulk_create(party_orgs, batch_size=2000)
    CoverageLink.objects.bulk_create(
        [CoverageLink(party_org=created[i], organization_id=pk) for i, ids in links for pk in ids],
        batch_size=5000,
    )

    # Instructors: party work for part of what no party organization reaches.
    by_township: dict[str, list[dict]] = defaultdict(list)
    for row in rest:
        if rng.random() < reach.get(row["county_code"], 0.6) * 0.8:
            by_township[row["township_code"] or row["county_code"]].append(row)
    instructors: list[Instructor] = []
    assignments: list[tuple[int, int, datetime.date]] = []
    for code in sorted(by_township):
        group = by_township[code]
        for start in range(0, len(group), 8):
            # The first instructors of big townships carry more than the load (a blind spot).
            chunk = group[start : start + (12 if start == 0 and len(group) >= 40 else 8)]
            row = chunk[0]
            instructors.append(
                Instructor(
                    name=_person(rng),
                    phone=f"139{rng.randrange(10**8):08d}",
                    workplace=f"{names.get(code, '')}党（工）委",
                    region_id=row["region_id"],
                    **_codes(row),
                )
            )
            for o in chunk:
                day = _founding(rng, o["founded_on"])
                assignments.append((len(instructors) - 1, o["pk"], day))
    made = Instructor.objects.bulk_create(instructors, batch_size=2000, ignore_conflicts=False)
    Assignment.objects.bulk_create(
        [Assignment(instructor=made[i], organization_id=pk, starts_on=day) for i, pk, day in assignments],
        batch_size=5000,
    )
    # Visits (走访) of about two thirds of the instructors in spring 2022 (a separate random stream,
    # so everything else stays as it was): the rest are 近期无走访.
    visit_rng = random.Random(SEED + 30)
    by_instructor: dict[int, list[tuple[int, datetime.date]]] = defaultdict(list)
    for i, pk, day in assignments:
        by_instructor[i].append((pk, day))
    visits = []
    for i, assigned in sorted(by_instructor.items()):
        if visit_rng.random() > 0.65:
            continue
        for _ in range(visit_rng.randrange(1, 4)):
            pk, start = visit_rng.choice(assigned)
            day = datetime.date(2022, visit_rng.choice((3, 4, 5)), visit_rng.randrange(1, 29))
            if day >= start:
                visits.append(
                    Visit(
                        instructor=made[i], organization_id=pk, visited_on=day,
                        work_done=visit_rng.choice(VISIT_NOTES), problems=visit_rng.choice(("", "", "党员教育管理台账不全")),
                    )
                )  # fmt: skip
    Visit.objects.bulk_create(visits, batch_size=5000)
    demo_user = User.objects.filter(username="zhidaoyuan").first()
    if demo_user and made:
        county = demo_user.region.code if demo_user.region else ""
        mine = next((i for i in made if i.county_code == county), made[0])
        mine.user = demo_user
        mine.save(update_fields=["user"])

    # Inspections of joint branches in the first half of 2022.
    inspections = []
    for party_org in created:
        if party_org.formation != Formation.JOINT or party_org.dissolved_on or rng.random() > 0.6:
            continue
        inspected = datetime.date(2022, rng.choice((2, 3, 4, 5)), rng.randrange(1, 28))
        if inspected < party_org.founded_on:
            continue
        rating = rng.choices(Rating.values, weights=(4, 3, 2, 1))[0]
        inspections.append(
            BranchInspection(
                party_org=party_org,
                inspected_on=inspected,
                meetings_held=rating in (Rating.GOOD, Rating.FAIR),
                secretary_in_post=bool(party_org.secretary),
                organizations_registered=True,
                rating=rating,
                actions="" if rating == Rating.GOOD else "督促按期开展“三会一课”，下季度复查",
                inspector=_person(rng),
            )
        )
    for inspection in inspections:
        if inspection.rating in (Rating.AVERAGE, Rating.POOR):
            inspection.problems = "未按要求开展“三会一课”，组织生活记录不全"
    made_inspections = BranchInspection.objects.bulk_create(inspections, batch_size=2000)
    # 整改 of what the inspections found (a separate random stream: the inspections stay as they were).
    fixes_rng = random.Random(SEED + 20)
    fixes = []
    for inspection in made_inspections:
        if not inspection.problems:
            continue
        due = inspection.inspected_on + datetime.timedelta(days=fixes_rng.choice((15, 30, 45)))
        closed = (
            due - datetime.timedelta(days=fixes_rng.randrange(0, 10)) if fixes_rng.random() < 0.5 else None
        )
        fixes.append(
            Rectification(
                party_org_id=inspection.party_org_id,
                inspection=inspection,
                problem=inspection.problems,
                measure=inspection.actions,
                responsible=inspection.party_org.secretary or "联合党支部所在乡镇（街道）党（工）委",
                opened_on=inspection.inspected_on,
                due_on=due,
                closed_on=closed if closed and closed <= datetime.date(2022, 6, 30) else None,
                outcome="已补开“三会一课”，补齐组织生活记录"
                if closed and closed <= datetime.date(2022, 6, 30)
                else "",
            )
        )
    Rectification.objects.bulk_create(fixes, batch_size=2000)
    joint = sum(1 for p in created if p.formation == Formation.JOINT)
    out.write(
        f"两个覆盖演示数据：党组织 {len(created)} 个（联合党支部 {joint} 个），"
        f"党建指导员 {len(made)} 名（走访 {len(visits)} 次），联合党支部排查 {len(inspections)} 次，整改事项 {len(fixes)} 项"
    )
