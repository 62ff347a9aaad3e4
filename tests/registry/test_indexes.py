"""The registry's indexes after the import diet (issue 11): fewer index entries per imported row,
and still an index for each way a page reaches the rows. Checked by the database's own query
plan on SQLite and PostgreSQL (PostgreSQL is told not to scan, so the plan shows whether an
index *can* serve the query, which a handful of test rows would never make it choose)."""

import pytest
from django.db import connection, transaction

from liangxin.core.models import Area, MemberUnit, Region
from liangxin.registry.models import FollowUp, Organization, OrganizationTag
from tests.registry.factories import make_org


@pytest.fixture
def rows(city):
    county = Region.objects.get(code="360802")
    area = Area.objects.create(name="井开区", region=county)
    unit = MemberUnit.objects.order_by("pk").first()
    make_org("园区企业", area=area, supervising_unit=unit)
    make_org("普通企业")
    return area, unit


def plan(queryset) -> str:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (lambda area, unit: Organization.objects.filter(area=area), "registry_org_area_idx"),
        (lambda area, unit: Organization.objects.filter(supervising_unit=unit), "registry_org_unit_idx"),
        (lambda area, unit: Organization.objects.filter(county_code="360802"), "registry_org_county_idx"),
        (
            lambda area, unit: Organization.objects.filter(township_code="360802001"),
            "registry_org_township_idx",
        ),
        (lambda area, unit: Organization.objects.filter(industry_section="C"), "registry_org_section_idx"),
        (
            lambda area, unit: Organization.objects.filter(credit_code="91360802MA0000001X"),
            ("credit_code_key", "sqlite_autoindex"),
        ),
        (
            lambda area, unit: OrganizationTag.objects.filter(organization_id=1),
            ("unique_organization_tag", "sqlite_autoindex_registry_organizationtag"),
        ),
        (
            lambda area, unit: FollowUp.objects.filter(status="open"),
            ("registry_followup_status_idx", "one_open_followup_per_kind"),
        ),
    ],
    ids=["park", "supervising-unit", "county", "township", "industry", "credit-code", "tags-of", "open"],
)
def test_each_way_a_page_reaches_organizations_has_an_index(rows, query, index):
    text = plan(query(*rows))
    assert any(name in text for name in ([index] if isinstance(index, str) else index)), text


def test_a_park_or_a_unit_index_holds_only_the_rows_that_have_one(rows):
    """Most organizations have no park and no supervising unit: those rows add no index entry
    (the index is partial: of the two organizations, only the one in a park with a unit)."""
    for name in ("registry_org_area_idx", "registry_org_unit_idx"):
        assert _index_entries(name) == 1


def test_a_countys_newest_page_reads_the_county_index(rows):
    """The list's default order (newest first) within a county: on SQLite straight from the index
    (its entries end with the rowid), so a county of 100,000 organizations is not sorted."""
    text = plan(Organization.objects.filter(county_code="360802").order_by("-id")[:50])
    assert "registry_org_county_idx" in text
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in text


def _index_entries(name: str) -> int:
    """The rows a partial index holds: those its own WHERE (as the database stores it) admits."""
    definition = (
        "SELECT sql FROM sqlite_master WHERE name = %s"
        if connection.vendor == "sqlite"
        else "SELECT pg_get_indexdef(%s::regclass)"
    )
    with connection.cursor() as cursor:
        cursor.execute(definition, [name])
        where = cursor.fetchone()[0].split(" WHERE ", 1)[1]
        cursor.execute(f"SELECT count(*) FROM {Organization._meta.db_table} WHERE {where}")  # noqa: S608
        return cursor.fetchone()[0]
