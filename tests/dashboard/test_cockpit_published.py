"""The cockpit's line reads published bulletins for their months; the dispatch charts show a
county or member unit user its own unit's cells."""

import datetime

import pytest

from liangxin.coverage import engine
from liangxin.documents.models import Bulletin
from liangxin.documents.serialize import bulletin_to_json
from liangxin.registry.models import Organization
from tests.dashboard.factories import small_city
from tests.dispatch.factories import make_task, submit
from tests.documents.factories import sample_bulletin
from tests.factories import make_area, make_user

D = datetime.date
AS_OF = "2022-05-31"


@pytest.fixture
def data(city):
    return small_city()


def publish(period: str, as_of: datetime.date, snapshot=None) -> Bulletin:
    """A published bulletin whose figures differ from the data (吉州区 81.3%, the city 76.4%)."""
    year, month = (int(part) for part in period.split("-"))
    if snapshot is None:
        snapshot = bulletin_to_json(sample_bulletin(year=year, month=month, as_of=as_of))
    return Bulletin.objects.create(period=period, as_of=as_of, status="published", snapshot=snapshot)


def months(client, query=f"as_of={AS_OF}") -> dict:
    response = client.get(f"/cockpit/data/months.json?{query}")
    assert response.status_code == 200
    return {row[0]: row for row in response.json()["rows"]}


def engine_pct(day: str, **kwargs) -> float:
    total = engine.coverage(Organization.objects.all(), as_of=D.fromisoformat(day), **kwargs).total
    return total.as_dict()["org_rate_pct"]


def test_a_published_month_shows_the_bulletins_figures_and_the_others_are_computed(client_for, office, data):
    publish("2022-04", D(2022, 4, 30))
    rows = months(client_for(office))
    assert rows["2022-04-30"][1:] == [76.4, 56.0, 87.6, "已发布通报（截至2022-04-30）"]
    assert rows["2022-03-31"][1] == engine_pct("2022-03-31") and rows["2022-03-31"][4] == "实时计算"
    assert rows[AS_OF][1] == engine_pct(AS_OF) == 40.0


def test_a_county_user_reads_its_countys_row_of_the_bulletin(client_for, data):
    publish("2022-04", D(2022, 4, 30))
    rows = months(client_for(make_user("qx360802", role="county", region="360802")))
    assert rows["2022-04-30"][1:4] == [81.3, 62.5, 90.7]
    other = months(client_for(make_user("qx360803", role="county", region="360803")))
    assert other["2022-04-30"][1:4] == [73.9, 48.4, 88.3]
    absent = months(client_for(make_user("qx360822", role="county", region="360822")))
    assert absent["2022-04-30"][4] == "实时计算"  # 吉水县 has no row in the bulletin


def test_a_park_user_never_gets_the_bulletins_figures(client_for, data):
    publish("2022-04", D(2022, 4, 30))
    park = make_area("吉州工业园", "360802")
    rows = months(client_for(make_user("park1", role="park", area=park)))
    assert rows["2022-04-30"][4] == "实时计算"


def test_a_bulletin_dated_after_the_point_or_another_scope_is_not_used(client_for, office, data):
    publish("2022-05", D(2022, 6, 5))  # published with figures as of June: not yet known on May 31
    publish("2022-04", D(2022, 4, 30))
    client = client_for(office)
    assert months(client)[AS_OF][4] == "实时计算"
    assert months(client, f"as_of={AS_OF}&scope=三有")["2022-04-30"][4] == "实时计算"


def test_an_unreadable_snapshot_is_computed_instead(client_for, office, data):
    publish("2022-04", D(2022, 4, 30), snapshot={"version": -1})
    rows = months(client_for(office))
    assert rows["2022-04-30"][1] == engine_pct("2022-04-30")


def test_the_line_export_names_the_source_of_each_point(client_for, office, data):
    publish("2022-04", D(2022, 4, 30))
    response = client_for(office).get(f"/cockpit/export/months.csv?as_of={AS_OF}")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "数据来源" in body and "已发布通报（截至2022-04-30）" in body and "实时计算" in body


@pytest.fixture
def county_tasks(data):
    """吉州区委组织部 reports late on a task that is overdue; 青原区委组织部 on time."""
    task = make_task(
        "3", units=("吉州区委组织部", "青原区委组织部"), deadline=D(2022, 5, 20), title="县级任务"
    )
    submit(task, "青原区委组织部", data["period"], when="2022-05-06", percent=100, status="done")
    submit(task, "吉州区委组织部", data["period"], when="2022-05-28", percent=30)
    return task


def chart(client, name):
    response = client.get(f"/cockpit/data/{name}.json?as_of={AS_OF}&period=2022-05")
    assert response.status_code == 200
    return response.json()


def test_a_county_user_sees_the_dispatch_charts_of_its_own_unit(client_for, county_tasks):
    client = client_for(make_user("qx360802", role="county", region="360802"))
    assert [row[0] for row in chart(client, "reporting")["rows"]] == ["吉州区委组织部"]
    lagging = chart(client, "lagging")["rows"]
    assert [(row[1], row[2]) for row in lagging] == [("县级任务", "吉州区委组织部")]
    assert sum(n for _, n in chart(client, "lights")["rows"]) == 1
    assert "调度期" in client.get(f"/cockpit/?as_of={AS_OF}").content.decode()


def test_another_county_does_not_see_the_first_countys_cells(client_for, county_tasks):
    client = client_for(make_user("qx360803", role="county", region="360803"))
    assert [row[0] for row in chart(client, "reporting")["rows"]] == ["青原区委组织部"]
    assert chart(client, "lagging")["rows"] == []
    assert [(label, n) for label, n in chart(client, "lights")["rows"] if n] == [("已完成", 1)]


def test_a_member_unit_user_sees_its_own_unit_and_the_office_every_unit(client_for, office, county_tasks):
    unit_user = make_user("jtj", role="member_unit", member_unit="交通运输局")
    assert [row[0] for row in chart(client_for(unit_user), "reporting")["rows"]] == ["交通运输局"]
    everyone = {row[0] for row in chart(client_for(office), "reporting")["rows"]}
    assert {"交通运输局", "吉州区委组织部", "青原区委组织部"} <= everyone
