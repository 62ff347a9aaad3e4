"""Adding and changing a station on the page: the import's rules, the user's own townships only."""

from __future__ import annotations

import pytest

from liangxin.core.models import AuditLog, Region
from liangxin.workforce.models import Station
from tests.coverage.factories import credit_code, make_org
from tests.factories import make_user
from tests.workforce.factories import make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def township(city):
    return make_user("xz360802001", role="township", region="360802001")


def _form(**extra) -> dict:
    return {
        "platform": "美团外卖",
        "name": "古南站",
        "group_type": "delivery",
        "kind": "delivery_site",
        "region": Region.objects.get(code="360802001").pk,
        "headcount": 20,
        "members_full": 2,
        "members_probationary": 0,
        "pioneer_posts": 1,
    } | extra


def test_a_township_adds_a_station_in_its_own_township_linked_to_its_organization(township, client_for):
    org = make_org("美团吉州配送", region="360802001")
    response = client_for(township).post(
        "/workforce/stations/new/", _form(credit_code=org.credit_code.lower())
    )
    station = Station.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/workforce/stations/{station.pk}/"
    assert station.organization == org and station.township_code == "360802001"
    assert AuditLog.objects.filter(action="workforce.station.created", object_id=str(station.pk)).exists()


def test_bad_values_are_said_field_by_field_and_nothing_is_saved(township, client_for):
    page = (
        client_for(township)
        .post("/workforce/stations/new/", _form(members_full=30, credit_code=credit_code(division="360802")))
        .content.decode()
    )
    assert "大于从业人数" in page and "不在两新组织台账中" in page
    assert not Station.objects.exists()


def test_another_township_is_not_offered_and_not_accepted(township, client_for):
    other = Region.objects.get(code="360803001")
    page = client_for(township).post("/workforce/stations/new/", _form(region=other.pk)).content.decode()
    assert not Station.objects.exists()
    assert "选择一个有效的选项" in page or "不在您的管辖范围内" in page


def test_an_edit_is_recorded_and_an_outsider_gets_404(township, client_for):
    station = make_station("古南网点", platform="美团外卖", group_type="delivery")
    client_for(township).post(f"/workforce/stations/{station.pk}/edit/", _form(name="古南网点", headcount=45))
    station.refresh_from_db()
    assert station.headcount == 45
    log = AuditLog.objects.get(action="workforce.station.updated", object_id=str(station.pk))
    assert log.after["headcount"] == 45
    outsider = make_user("xz360803001", role="township", region="360803001")
    assert client_for(outsider).get(f"/workforce/stations/{station.pk}/edit/").status_code == 404
    assert client_for(outsider).post(f"/workforce/stations/{station.pk}/edit/", _form()).status_code == 404
