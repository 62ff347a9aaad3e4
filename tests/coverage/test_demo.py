"""The demo coverage is deterministic, grows over 2022 and differs between counties."""

import datetime
import io

import pytest

from liangxin.coverage import demo, engine
from liangxin.coverage.models import Formation, Instructor, PartyOrganization
from liangxin.registry.models import Organization
from tests.coverage.factories import make_org


@pytest.fixture
def organizations(city):
    for i in range(60):
        region = ("360802001", "360802002", "360803001")[i % 3]
        make_org(
            f"演示{i}公司",
            region=region,
            members=(0, 1, 2, 3, 5, 12)[i % 6],
            founded_on=datetime.date(2012, 1, 1),
        )


@pytest.mark.django_db
def test_it_builds_single_and_joint_branches_instructors_and_repeats_nothing(city, organizations):
    out = io.StringIO()
    demo.load(city, out)
    assert "党组织" in out.getvalue()
    assert PartyOrganization.objects.filter(formation=Formation.SINGLE).exists()
    assert PartyOrganization.objects.filter(formation=Formation.JOINT).exists()
    assert Instructor.objects.exists()
    names = sorted(PartyOrganization.objects.values_list("name", flat=True))
    demo.load(city, io.StringIO())
    assert sorted(PartyOrganization.objects.values_list("name", flat=True)) == names
    start = engine.coverage(Organization.objects.all(), as_of=datetime.date(2021, 12, 31)).total
    end = engine.coverage(Organization.objects.all(), as_of=datetime.date(2022, 12, 31)).total
    assert end.covered >= start.covered and end.total == start.total == 60


@pytest.mark.django_db
def test_without_organizations_it_says_so(city):
    out = io.StringIO()
    demo.load(city, out)
    assert "还没有两新组织" in out.getvalue()


@pytest.mark.django_db
def test_coverage_grows_over_2022_and_differs_between_counties(city, organizations):
    demo.load(city, io.StringIO())
    orgs = Organization.objects.all()
    january = engine.coverage(orgs, as_of=datetime.date(2022, 1, 31)).total
    december = engine.coverage(orgs, as_of=datetime.date(2022, 12, 31)).total
    assert december.covered + december.work > january.covered + january.work
    counties = {r.code: r for r in engine.coverage(orgs, as_of=datetime.date(2022, 12, 31)).rows if r.total}
    assert counties["360802"].org_rate != counties["360803"].org_rate
