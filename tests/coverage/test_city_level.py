"""市本级 (domain.md §8): organizations registered by the city itself are counted in the city's
totals and shown as a 市本级 row beside the counties — in the engine, so every table has it."""

import datetime

import pytest
from django.urls import reverse

from liangxin.coverage import engine
from liangxin.registry.models import Organization
from tests.coverage.factories import make_org, make_party_org
from tests.factories import make_user

pytestmark = pytest.mark.django_db

DAY = datetime.date(2022, 5, 31)


@pytest.fixture
def orgs(city):
    city_social = make_org("吉安市律师协会", region="360800", kind="social", members=3)
    make_party_org("吉安市律师协会党支部", city_social, external_parent_name="中共吉安市两新工委")
    make_org("吉安市城投物业有限公司", region="360800")
    make_org("吉州甲公司", region="360802001", members=4)
    return city_social


def test_the_county_table_has_a_city_level_row_and_the_city_total_counts_it(orgs):
    table = engine.coverage(Organization.objects.all(), as_of=DAY)
    rows = {r.name: r for r in table.rows if r.total}
    assert set(rows) == {"吉州区", engine.CITY_LEVEL}
    city_level = rows[engine.CITY_LEVEL]
    assert (city_level.total, city_level.single, city_level.none) == (2, 1, 1)
    assert table.rows[-1] is city_level  # after the counties
    assert (table.total.total, table.total.single, table.total.none, table.total.should_build) == (3, 1, 2, 1)


def test_the_coverage_page_shows_it_to_the_office_only(orgs, office, client_for):
    page = client_for(office).get(reverse("coverage:table"), {"as_of": "2022-05-31"})
    assert page.status_code == 200 and "<td>市本级</td>" in page.content.decode()  # named, not a link
    county = make_user("jz", role="county", region="360802")
    page = client_for(county).get(reverse("coverage:table"), {"as_of": "2022-05-31"})
    assert page.status_code == 200 and "市本级" not in page.content.decode()


def test_a_party_organizations_page_names_its_parent_outside_the_system(orgs, office, client_for):
    party_org = orgs.party_organizations.get()
    url = reverse("coverage:party_org_detail", args=[party_org.pk])
    page = client_for(office).get(url)
    assert "中共吉安市两新工委" in page.content.decode() and "系统外" in page.content.decode()
    outsider = make_user("qy", role="county", region="360803")
    assert client_for(outsider).get(url).status_code == 404
