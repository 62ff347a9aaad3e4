"""Small factories for coverage tests: organizations (our own, independent of the registry's
import), party organizations with their links, instructors with assignments."""

from __future__ import annotations

import datetime
import itertools

import xlsxwriter

from liangxin.core.models import Region
from liangxin.core.tabular import compute_check_char
from liangxin.coverage.models import (
    Assignment,
    CoverageLink,
    Formation,
    Instructor,
    PartyOrganization,
    PartyOrgStatus,
    PartyOrgType,
)
from liangxin.registry.models import Organization, OrganizationTag, Tag

_serial = itertools.count(1)
D = datetime.date
JAN_2020 = D(2020, 1, 1)


def credit_code(prefix: str = "91", division: str = "360802", serial: int | None = None) -> str:
    n = next(_serial) if serial is None else serial
    body = f"{prefix}{division}MC{n:07d}"[:17]
    return body + compute_check_char(body)


def make_org(
    name: str,
    *,
    region: str = "360802001",
    members: int = 0,
    tags: tuple[str, ...] = (),
    **fields,
) -> Organization:
    region_obj = Region.objects.get(code=region)
    kind = fields.pop("kind", "enterprise")
    org = Organization(
        credit_code=fields.pop("credit_code", None)
        or credit_code(prefix="91" if kind == "enterprise" else "52", division=region[:6]),
        name=name,
        region=region_obj,
        kind=kind,
        party_members=members,
        **fields,
    )
    org.copy_ancestor_codes(region_obj)
    org.save()
    for tag in tags:
        OrganizationTag.objects.create(organization=org, tag=Tag.objects.get_or_create(name=tag)[0])
    return org


def make_party_org(
    name: str,
    *orgs: Organization,
    formation: str = Formation.SINGLE,
    founded_on: datetime.date | None = JAN_2020,
    region: str | None = None,
    dissolved_on: datetime.date | None = None,
    **fields,
) -> PartyOrganization:
    region_code = region or (orgs[0].region.code if orgs else "360800")
    region_obj = Region.objects.get(code=region_code)
    party_org = PartyOrganization(
        name=name,
        org_type=fields.pop("org_type", PartyOrgType.BRANCH),
        formation=formation,
        region=region_obj,
        founded_on=founded_on,
        recorded_on=fields.pop("recorded_on", founded_on or D(2020, 1, 1)),
        status=PartyOrgStatus.DISSOLVED if dissolved_on else PartyOrgStatus.ACTIVE,
        dissolved_on=dissolved_on,
        **fields,
    )
    party_org.copy_ancestor_codes(region_obj)
    party_org.save()
    for org in orgs:
        CoverageLink.objects.create(party_org=party_org, organization=org)
    return party_org


def make_instructor(
    name: str,
    *orgs: Organization,
    phone: str = "13800138000",
    starts_on: datetime.date = JAN_2020,
    region: str | None = None,
    **fields,
) -> Instructor:
    region_obj = Region.objects.get(code=region or (orgs[0].region.code if orgs else "360800"))
    instructor = Instructor(name=name, phone=phone, region=region_obj, **fields)
    instructor.copy_ancestor_codes(region_obj)
    instructor.save()
    for org in orgs:
        Assignment.objects.create(instructor=instructor, organization=org, starts_on=starts_on)
    return instructor


def write_workbook(path, sheets: dict[str, list[list]]) -> str:
    workbook = xlsxwriter.Workbook(str(path))
    for sheet_name, rows in sheets.items():
        worksheet = workbook.add_worksheet(sheet_name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    worksheet.write_string(r, c, value)
                elif value is not None:
                    worksheet.write(r, c, value)
    workbook.close()
    return str(path)
