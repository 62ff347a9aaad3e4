"""The outsider suite for every workforce list, export and figure page; the detail pages and
downloads are in tests/test_url_scope_table.py (each role × a row inside and outside its scope)."""

from __future__ import annotations

import datetime

import pytest

from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase
from tests.workforce.factories import jpeg_with_gps, make_posthouse, make_report, make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def insider(city):
    return make_user("xz360802001", role="township", region="360802001")


@pytest.fixture
def outsider(city):
    return make_user("xz360803001", role="township", region="360803001")


class TestStationsAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, insider, outsider):
        station = make_station("古南独有网点", link=True)
        return ScopeCase(
            obj=station,
            insider=insider,
            outsider=outsider,
            marker="古南独有网点",
            detail_urls=[
                f"/workforce/stations/{station.pk}/",
                f"/workforce/stations/{station.pk}/poster/",
            ],
            list_urls=["/workforce/", "/workforce/?q=古南"],
            export_urls=["/workforce/?format=csv", "/workforce/?format=csv&group_type=express"],
            change_urls=[f"/workforce/stations/{station.pk}/link/"],
        )


class TestPosthousesAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, insider, outsider):
        posthouse = make_posthouse("古南独有驿站", make_station("古南网点"))
        return ScopeCase(
            obj=posthouse,
            insider=insider,
            outsider=outsider,
            marker="古南独有驿站",
            list_urls=["/workforce/posthouses/"],
            export_urls=["/workforce/posthouses/?format=csv"],
        )


class TestFiguresAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, insider, outsider):
        station = make_station("古南网点", headcount=4321)
        return ScopeCase(
            obj=station,
            insider=insider,
            outsider=outsider,
            marker="4321",
            list_urls=["/workforce/figures/"],
            export_urls=["/workforce/figures/?format=csv"],
        )


class TestReportsAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, insider, outsider):
        report = make_report(
            make_station("古南网点"),
            place="古南独有路口",
            photo=jpeg_with_gps(),
            due_on=datetime.date(2020, 1, 6),
        )
        return ScopeCase(
            obj=report,
            insider=insider,
            outsider=outsider,
            marker="古南独有路口",
            detail_urls=[f"/workforce/reports/{report.pk}/"],
            list_urls=["/workforce/reports/", "/workforce/reports/?overdue=1&status=new"],
            export_urls=["/workforce/reports/?format=csv"],
            change_urls=[f"/workforce/reports/{report.pk}/{a}/" for a in ("accept", "close", "hand-over")],
        )

    def test_the_outsider_gets_404_on_the_photo(self, scope_case, client_for):
        url = f"/workforce/reports/{scope_case.obj.pk}/photo.jpg"
        assert client_for(scope_case.insider).get(url).status_code == 200
        assert client_for(scope_case.outsider).get(url).status_code == 404

    def test_the_outsider_counts_nothing_of_it(self, scope_case, client_for):
        page = client_for(scope_case.outsider).get("/workforce/reports/stats/").content.decode()
        assert "本月流动哨兵报告0件" in page
        assert (
            "本月流动哨兵报告1件"
            in client_for(scope_case.insider).get("/workforce/reports/stats/").content.decode()
        )
