"""Every chart of the cockpit answers for one period and one as-of date, and says which; the
headline tiles and the 大屏 page read the same figures."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command

from liangxin.core.rates import to_percent
from liangxin.coverage import engine
from liangxin.dashboard import dispatch_charts, queries
from liangxin.dispatch import reports
from liangxin.dispatch.status import period_status
from liangxin.registry.models import Organization
from tests.dashboard.factories import small_city
from tests.dispatch.factories import at, make_period, make_task, submit
from tests.factories import make_user

D = datetime.date
EVERY = [*queries.CHARTS, "tiles"]


@pytest.fixture
def data(city):
    return small_city()


@pytest.fixture
def office_client(client_for, office):
    return client_for(office)


@pytest.fixture
def in_august(client_for, office):
    """The office logged in on 2022-08-01, after May's period has closed. (Only ever travel
    back: sessions are files whose real modification time a later date would expire.)"""
    with time_machine.travel("2022-08-01 10:00 +0800", tick=False):
        yield client_for(office)


def chart(client, name, query="period=2022-05"):
    response = client.get(f"/cockpit/data/{name}.json?{query}")
    assert response.status_code == 200
    return response.json()


def lights(result) -> dict:
    return dict(zip(result["codes"], [n for _, n in result["rows"]], strict=True))


def dispatch_status_json(*args) -> dict:
    out = io.StringIO()
    call_command("dispatch_status", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_past_period_opens_on_its_own_last_day_in_every_chart_and_title(in_august, data):
    for name in EVERY:
        result = chart(in_august, name)
        assert (result["period"], result["as_of"]) == ("2022-05", "2022-05-31"), name
        assert "截至2022年5月31日" in result["title"], name
    assert "2022年5月调度" in chart(in_august, "lights")["title"]
    page = in_august.get("/cockpit/?period=2022-05").content.decode()
    assert "2022年5月调度 · 截至2022年5月31日" in page


def test_may_shows_mays_lights_not_todays(in_august, data):
    make_task("6", deadline=D(2022, 6, 30), title="六月到期的任务")
    may = lights(chart(in_august, "lights"))
    assert may["red"] == 1  # only the task due on May 10
    today = lights(chart(in_august, "lights", "period=2022-05&as_of=2022-08-01"))
    assert today["red"] == 2  # June's deadline has passed by today: what the cockpit used to show
    assert may == {k: period_status(data["period"], D(2022, 5, 31)).totals[k] for k in dispatch_charts.LIGHTS}


def test_the_cockpit_and_dispatch_status_agree_on_the_date_and_every_count(in_august, data):
    command = dispatch_status_json("--period", "2022-05")
    result = chart(in_august, "lights")
    assert result["as_of"] == command["as_of"]
    assert lights(result) == {k: command["totals"][k] for k in dispatch_charts.LIGHTS}
    assert result["expected"] == command["totals"]["expected"] == sum(lights(result).values())


@time_machine.travel("2022-05-20 10:00 +0800", tick=False)
def test_the_running_period_opens_on_today(office_client, data):
    assert chart(office_client, "lights", "")["as_of"] == "2022-05-20"
    assert chart(office_client, "coverage", "")["as_of"] == "2022-05-20"


def test_a_chosen_date_wins_and_a_bad_one_falls_back_to_the_periods_date_saying_so(in_august, data):
    assert chart(in_august, "coverage", "period=2022-05&as_of=2022-05-15")["as_of"] == "2022-05-15"
    assert chart(in_august, "coverage", "period=2022-05&as_of=2022-13-01")["as_of"] == "2022-05-31"
    body = in_august.get("/cockpit/?period=2022-05&as_of=2022-13-01").content.decode()
    assert "截至日期“2022-13-01”格式不对，应为 YYYY-MM-DD，已按2022年5月31日统计" in body
    assert "已按今天统计" not in body


def test_the_filter_form_leaves_the_date_empty_so_another_period_brings_its_own(in_august, data):
    body = in_august.get("/cockpit/?period=2022-05").content.decode()
    assert 'name="as_of" value=""' in body
    chosen = in_august.get("/cockpit/?period=2022-05&as_of=2022-05-15").content.decode()
    assert 'name="as_of" value="2022-05-15"' in chosen


def test_lights_count_only_the_pairs_expected_this_month(office_client, office, data):
    """A pair whose 已完成 report was accepted in April is not expected in May and has no light."""
    april = make_period("2022-04")
    task = make_task("4", lead="邮政管理局", deadline=D(2022, 12, 31), title="四月完成的任务")
    report = submit(task, "邮政管理局", april, when="2022-04-20", status="done", percent=100)
    reports.accept_report(report, actor=office, at=at("2022-04-22"))
    result = chart(office_client, "lights", "period=2022-05&as_of=2022-05-31")
    status = period_status(data["period"], D(2022, 5, 31))
    assert sum(lights(result).values()) == result["expected"] == status.totals["expected"] == 3
    assert lights(result) == {k: status.totals[k] for k in dispatch_charts.LIGHTS}
    assert status.totals["earlier_done"] == 1 and "此前已完成1个" in result["note"]
    assert "四月完成的任务" not in json.dumps(chart(office_client, "lagging"), ensure_ascii=False)


def test_tables_show_rates_with_one_decimal(office_client, data):
    coverage = chart(office_client, "coverage", "period=2022-05&as_of=2022-05-31")
    display = dict((row[0], row[1:]) for row in coverage["display"])
    assert display["吉州区"][0] == "33.3%"
    assert display["青原区"] == ["50.0%", "50.0%", "50.0%"]
    reporting = chart(office_client, "reporting", "period=2022-05&as_of=2022-05-31")
    assert all(text.endswith("%") and "." in text for row in reporting["display"] for text in row[1:])
    months = chart(office_client, "months", "period=2022-05&as_of=2022-05-31")
    assert months["display"][-1][1] == "40.0%"


class TestTiles:
    def tiles(self, client, query="period=2022-05&as_of=2022-05-31"):
        return {t["key"]: t for t in chart(client, "tiles", query)["tiles"]}

    def test_they_show_the_engines_and_the_periods_figures(self, office_client, data):
        tiles = self.tiles(office_client)
        total = engine.coverage(Organization.objects.all(), as_of=D(2022, 5, 31)).total
        status = period_status(data["period"], D(2022, 5, 31))
        assert list(tiles) == ["org_rate", "work_rate", "should_build", "report_rate", "on_time_rate", "red"]
        assert tiles["org_rate"]["value"] == float(to_percent(total.org_rate)) == 40.0
        assert tiles["org_rate"]["text"] == "40.0%"
        assert tiles["work_rate"]["value"] == float(to_percent(total.work_rate))
        assert tiles["should_build"]["value"] == total.should_build == 2
        assert tiles["report_rate"]["value"] == float(to_percent(status.rate("submitted")))
        assert tiles["on_time_rate"]["value"] == float(to_percent(status.rate("on_time")))
        assert tiles["red"]["value"] == status.totals["red"] == 1

    def test_without_last_months_period_the_dispatch_change_is_a_dash(self, office_client, data):
        tiles = self.tiles(office_client)
        assert (tiles["report_rate"]["change"], tiles["report_rate"]["change_text"]) == (None, "—")
        assert tiles["red"]["change_text"] == "—"

    def test_they_compare_with_the_same_point_last_month(self, office_client, office, data):
        april = make_period("2022-04")
        task = make_task("5", lead="邮政管理局", deadline=D(2022, 4, 15), title="四月到期的任务")
        submit(task, "邮政管理局", april, when="2022-04-10", percent=10)
        tiles = self.tiles(office_client)
        before = period_status(april, D(2022, 4, 30))
        now = period_status(data["period"], D(2022, 5, 31))
        assert tiles["red"]["change"] == now.totals["red"] - before.totals["red"]
        expected = to_percent(now.rate("submitted")) - to_percent(before.rate("submitted"))
        assert tiles["report_rate"]["change"] == float(expected)
        arrow = "▲" if expected > 0 else "▼" if expected < 0 else ""
        assert tiles["report_rate"]["change_text"].startswith(arrow or "持平")
        april_total = engine.coverage(Organization.objects.all(), as_of=D(2022, 4, 30)).total
        assert tiles["should_build"]["change"] == 2 - april_total.should_build

    def test_a_county_user_gets_its_countys_figures_and_its_units_cells(self, client_for, data):
        client = client_for(make_user("qx360803", role="county", region="360803"))
        tiles = self.tiles(client)
        orgs = Organization.objects.filter(county_code="360803")
        total = engine.coverage(orgs, as_of=D(2022, 5, 31)).total
        assert tiles["org_rate"]["value"] == float(to_percent(total.org_rate)) == 50.0
        assert tiles["red"]["value"] == 0  # 青原区委组织部 has no task in this city

    def test_another_jurisdiction_is_a_404(self, client_for, data):
        client = client_for(make_user("qx360803", role="county", region="360803"))
        assert client.get("/cockpit/data/tiles.json?region=360802").status_code == 404
        assert client.get("/cockpit/export/tiles.csv?region=360802").status_code == 404

    def test_they_export_as_the_table_shows_them(self, office_client, data):
        response = office_client.get("/cockpit/export/tiles.csv?period=2022-05&as_of=2022-05-31")
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "组织覆盖率,40.0%" in body


class TestScreen:
    def test_it_shows_the_tiles_and_six_charts_without_the_navigation(self, office_client, data):
        response = office_client.get("/cockpit/screen/?period=2022-05")
        body = response.content.decode()
        assert response.status_code == 200
        assert 'class="sidebar"' not in body
        assert "cockpit-tiles" in body
        for name in queries.CHARTS:
            assert f'data-chart="{name}"' in body
        assert "view=screen" in body

    def test_a_county_bar_on_the_screen_drills_down_on_the_screen(self, office_client, data):
        result = chart(office_client, "coverage", "period=2022-05&view=screen")
        assert all(link.startswith("/cockpit/screen/?") for link in result["links"])

    def test_another_countys_screen_is_a_404_and_roles_without_a_jurisdiction_are_refused(
        self, client_for, data
    ):
        client = client_for(make_user("qx360803", role="county", region="360803"))
        assert client.get("/cockpit/screen/?region=360802").status_code == 404
        own = client.get("/cockpit/screen/").content.decode()
        assert "青原区两新组织党建工作驾驶舱" in own and "吉州区" not in own
        admin = make_user("sysadmin", role="sysadmin")
        assert client_for(admin).get("/cockpit/screen/").status_code == 403


def test_the_cockpit_says_what_the_bulletin_says_for_may(office_client, office, data):
    """Every count and rate of the tiles and the lights equals the May bulletin's (as of May 31,
    compared with April as of April 30), built by the documents' own service."""
    from liangxin.documents.services import make_bulletin

    april = make_period("2022-04")
    task = make_task("5", lead="邮政管理局", deadline=D(2022, 4, 15), title="四月到期的任务")
    submit(task, "邮政管理局", april, when="2022-04-10", percent=10)
    done = make_task("7", lead="交通运输局", deadline=D(2022, 12, 31), title="四月完成的任务")
    report = submit(done, "交通运输局", april, when="2022-04-20", status="done", percent=100)
    reports.accept_report(report, actor=office, at=at("2022-04-22"))
    bulletin = make_bulletin(period=D(2022, 5, 1), as_of=D(2022, 5, 31), issue_date=D(2022, 6, 6))
    overall, city = bulletin.overall, bulletin.coverage_total

    result = chart(office_client, "lights")
    assert lights(result) == {k: getattr(overall, k) for k in dispatch_charts.LIGHTS}
    assert result["expected"] == overall.expected == sum(lights(result).values())
    assert f"此前已完成{overall.earlier_done}个" in result["note"] and overall.earlier_done == 1
    tiles = {t["key"]: t for t in chart(office_client, "tiles")["tiles"]}
    assert tiles["report_rate"]["value"] == float(to_percent(overall.report_rate))
    assert tiles["report_rate"]["change"] == float(overall.report_rate_change)
    assert tiles["on_time_rate"]["value"] == float(to_percent(overall.on_time_rate))
    assert tiles["on_time_rate"]["change"] == float(overall.on_time_rate_change)
    assert tiles["red"]["value"] == overall.red
    assert tiles["org_rate"]["value"] == float(to_percent(city.org_rate))
    assert tiles["org_rate"]["change"] == float(city.org_rate_change)
    assert tiles["work_rate"]["change"] == float(city.work_rate_change)
    assert tiles["should_build"]["value"] == city.should_build
    coverage = {row[0]: row[1:] for row in chart(office_client, "coverage")["rows"]}
    for row in bulletin.coverage:
        if row.in_scope:
            assert coverage[row.name] == [
                float(to_percent(r)) for r in (row.org_rate, row.single_rate, row.work_rate)
            ]
