"""The cockpit's charts show the engines' numbers, scoped to the user's jurisdiction."""

import datetime
import io

import openpyxl
import pytest

from liangxin.core.models import Region
from liangxin.core.rates import to_percent
from liangxin.coverage import engine
from liangxin.dashboard import dispatch_charts, queries
from liangxin.dispatch.status import period_status
from liangxin.registry.models import Organization
from tests.dashboard.factories import small_city
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

D = datetime.date
AS_OF = "2022-05-31"
Q = f"as_of={AS_OF}&period=2022-05"


@pytest.fixture
def data(city):
    return small_city()


@pytest.fixture
def office_client(client_for, office):
    return client_for(office)


def chart(client, name, query=Q):
    response = client.get(f"/cockpit/data/{name}.json?{query}")
    assert response.status_code == 200
    return response.json()


def test_it_renders_the_page_with_a_container_per_chart(office_client, data):
    response = office_client.get(f"/cockpit/?{Q}")
    body = response.content.decode()
    assert response.status_code == 200
    for name in queries.CHARTS:
        assert f'data-chart="{name}"' in body
    assert "vendor/echarts/echarts.min.js" in body


def test_it_shows_the_coverage_rates_of_the_engine_by_county(office_client, data):
    table = engine.coverage(Organization.objects.all(), as_of=D(2022, 5, 31))
    result = chart(office_client, "coverage")
    expected = {r.name: r.as_dict() for r in table.rows if r.total}
    assert [row[0] for row in result["rows"]] == list(expected)
    for name, org_pct, single_pct, work_pct in result["rows"]:
        figures = expected[name]
        assert (org_pct, single_pct, work_pct) == (
            figures["org_rate_pct"],
            figures["single_rate_pct"],
            figures["work_rate_pct"],
        )


def test_it_counts_should_build_by_county_like_the_engine(office_client, data):
    table = engine.coverage(Organization.objects.all(), as_of=D(2022, 5, 31))
    result = chart(office_client, "should_build")
    assert result["rows"] == [[r.name, r.should_build] for r in table.rows if r.total]
    assert sum(n for _, n in result["rows"]) == 2


def test_it_draws_twelve_month_ends_each_equal_to_the_engine_on_that_day(office_client, data):
    result = chart(office_client, "months")
    assert len(result["rows"]) == 12
    assert result["rows"][-1][0] == AS_OF
    assert result["rows"][-2][0] == "2022-04-30"
    for day, org_pct, *_ in result["rows"]:
        total = engine.coverage(Organization.objects.all(), as_of=D.fromisoformat(day)).total
        assert org_pct == total.as_dict()["org_rate_pct"]


def test_it_counts_lights_and_reporting_rates_like_the_dispatch_status(office_client, data):
    status = period_status(data["period"], D(2022, 5, 31))
    lights = chart(office_client, "lights")
    assert dict(zip(lights["codes"], [n for _, n in lights["rows"]], strict=True)) == {
        k: status.totals[k] for k in dispatch_charts.LIGHTS
    }
    assert sum(n for _, n in lights["rows"]) == lights["expected"] == status.totals["expected"] == 3
    reporting = chart(office_client, "reporting")
    rates = {u.unit.name: (u.rate, u.on_time_rate) for u in status.units if u.expected}
    assert {name: (rate, on_time) for name, rate, on_time in reporting["rows"]} == {
        n: (float(to_percent(r)), float(to_percent(t))) for n, (r, t) in rates.items()
    }
    assert [r[1] for r in reporting["rows"]] == sorted((r[1] for r in reporting["rows"]), reverse=True)


def test_it_lists_the_overdue_task_first_among_the_lagging(office_client, data):
    rows = chart(office_client, "lagging")["rows"]
    assert rows[0][1] == "逾期的重点任务"
    assert rows[0][3] == "逾期"


def test_it_uses_the_latest_period_when_none_is_chosen(office_client, data):
    status = period_status(data["period"], D(2022, 5, 31))
    lights = chart(office_client, "lights", query=f"as_of={AS_OF}")
    assert sum(n for _, n in lights["rows"]) == sum(status.totals[k] for k in dispatch_charts.LIGHTS)


def test_it_shows_empty_charts_and_says_so_when_there_are_no_periods(office_client, city):
    assert chart(office_client, "lights")["rows"] == []
    body = office_client.get("/cockpit/").content.decode()
    assert "暂无数据" in body


def test_it_warns_about_a_period_that_does_not_exist(office_client, data):
    body = office_client.get("/cockpit/?period=2019-13").content.decode()
    assert "调度期“2019-13”格式不对" in body


def test_it_answers_404_for_an_unknown_chart_or_export_format(office_client, data):
    assert office_client.get("/cockpit/data/nothing.json").status_code == 404
    assert office_client.get("/cockpit/export/coverage.pdf").status_code == 404


def test_it_exports_a_chart_as_a_workbook_that_opens(office_client, data):
    response = office_client.get(f"/cockpit/export/coverage.xlsx?{Q}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("地区", "组织覆盖率(%)", "单独组建率(%)", "工作覆盖率(%)")
    assert {r[0] for r in rows[1:]} == {"吉州区", "青原区"}


def test_it_drills_a_county_bar_down_to_the_cockpit_for_its_townships(office_client, data):
    result = chart(office_client, "coverage")
    link = result["links"][result["rows"].index(next(r for r in result["rows"] if r[0] == "吉州区"))]
    assert "region=360802" in link and link.startswith("/cockpit/")
    townships = chart(office_client, "coverage", query=link.split("?", 1)[1])
    assert [r[0] for r in townships["rows"]] == ["古南街道"]
    assert townships["links"][0].startswith("/coverage/overview/organizations/")


def test_it_keeps_other_units_dispatch_cells_from_a_county_user(client_for, data):
    county = make_user("qx360802", role="county", region="360802")  # 吉州区委组织部 has no tasks
    client = client_for(county)
    assert chart(client, "lights")["rows"] == []
    assert chart(client, "lagging")["rows"] == []
    assert chart(client, "reporting")["rows"] == []


def test_it_refuses_roles_without_a_jurisdiction(client_for, data):
    admin = make_user("sysadmin", role="sysadmin")
    assert client_for(admin).get("/cockpit/").status_code == 403


class TestACountySeesOnlyItsCounty(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, data):
        insider = make_user("qx360802", role="county", region="360802")
        outsider = make_user("qx360803", role="county", region="360803")
        return ScopeCase(
            obj=Organization.objects.get(name="吉州应建公司"),
            insider=insider,
            outsider=outsider,
            marker="古南街道",
            detail_urls=[
                "/cockpit/data/coverage.json?region=360802",
                "/cockpit/export/coverage.csv?region=360802",
            ],
            list_urls=[f"/cockpit/data/{name}.json?as_of={AS_OF}" for name in ("coverage", "should_build")],
            export_urls=[
                f"/cockpit/export/coverage.csv?as_of={AS_OF}",
                f"/cockpit/export/should_build.csv?as_of={AS_OF}",
            ],
        )


def test_it_gives_another_countys_cockpit_a_404_and_its_own_a_page(client_for, data):
    client = client_for(make_user("qx360803", role="county", region="360803"))
    assert client.get("/cockpit/?region=360802").status_code == 404
    assert client.get("/cockpit/data/months.json?region=360802").status_code == 404
    assert client.get("/cockpit/export/should_build.xlsx?region=360802").status_code == 404
    assert "青原区" in client.get("/cockpit/").content.decode()


def test_it_shows_a_county_user_the_months_of_its_county_only(client_for, data):
    client = client_for(make_user("qx360803", role="county", region="360803"))
    last = chart(client, "months", query=f"as_of={AS_OF}")["rows"][-1]
    orgs = Organization.objects.filter(county_code="360803")
    total = engine.coverage(orgs, as_of=D(2022, 5, 31), region=Region.objects.get(code="360803")).total
    assert last[1] == total.as_dict()["org_rate_pct"] == 50.0


def test_it_recomputes_an_earlier_month_end_once_the_data_changes(office_client, data, city):
    from liangxin.core import effects
    from tests.coverage.factories import make_party_org

    before = chart(office_client, "months", query="as_of=2022-06-30")["rows"][-2]
    assert before[0] == AS_OF and before[1] == 40.0
    make_party_org("吉州应建公司支部", Organization.objects.get(name="吉州应建公司"))
    effects.figures_changed()  # what coverage.services.save_party_org says after such a change
    after = chart(office_client, "months", query="as_of=2022-06-30")["rows"][-2]
    assert after[1] == 60.0


def test_it_shows_a_park_user_its_parks_organizations_only(client_for, data):
    from tests.factories import make_area

    park = make_area("吉州工业园", "360802")
    org = Organization.objects.get(name="吉州应建公司")
    org.area = park
    org.save()
    client = client_for(make_user("park1", role="park", area=park))
    rows = chart(client, "should_build", query=f"as_of={AS_OF}")["rows"]
    assert sum(n for _, n in rows) == 1
    assert chart(client, "lights")["rows"] == []


def test_it_reads_earlier_month_ends_from_the_cache_while_the_data_stays_the_same(office, data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    orgs = Organization.objects.visible_to(office)
    first = queries.coverage_over_months(orgs, as_of=D(2022, 5, 31))
    with CaptureQueriesContext(connection) as queries_run:
        again = queries.coverage_over_months(orgs, as_of=D(2022, 5, 31))
    assert again == first
    assert len(queries_run) < 10
