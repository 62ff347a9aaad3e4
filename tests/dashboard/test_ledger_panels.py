"""The cockpit's panels for 结对共建, 五融入五提升 and the brand campaign: the figures of the
ledgers' own commands, as the page's date stood, for what the viewer sees; none for instructors."""

import io
import json

import pytest
from django.core.management import call_command

from tests.dashboard.factories import ledger_city
from tests.factories import make_user

YEAR_END = "as_of=2022-12-31"


@pytest.fixture
def ledgers(city):
    return ledger_city()


def panel(client, chart: str, query: str = YEAR_END) -> dict:
    response = client.get(f"/cockpit/data/{chart}.json?{query}")
    assert response.status_code == 200
    return response.json()


def command(*args) -> dict:
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_pairings_panel_counts_what_liangxin_pairings_counts(client_for, office, ledgers):
    data = panel(client_for(office), "pairings")
    expected = command("pairings", "--year", "2022")
    assert data["rows"] == [
        [c["label"], c["pairings"], c["projects"], float(c["funds"]), c["people_helped"]]
        for c in expected["by_county"]
    ]
    assert data["rows"] == [["吉州区", 2, 2, 17.5, 90], ["遂川县", 1, 1, 30.0, 120]]
    assert data["title"] == "2022年结对共建（截至2022年12月31日）"
    assert "在结对3对，项目3个，投入资金47.50万元，受益210人" in data["note"]


def test_a_pairing_signed_after_the_pages_date_is_not_counted_yet(client_for, office, ledgers):
    data = panel(client_for(office), "pairings", "as_of=2022-05-31")
    assert data["rows"] == [["吉州区", 1, 1, 12.5, 80], ["遂川县", 1, 1, 30.0, 120]]


def test_the_integration_panel_draws_liangxin_integrations_averages(client_for, office, ledgers):
    data = panel(client_for(office), "integration")
    expected = command("integration", "--year", "2022")["total"]
    assert [r[0] for r in data["rows"]] == list(expected["averages"])
    assert (
        [r[1] for r in data["rows"]]
        == [float(v) for v in expected["averages"].values()]
        == [3.0, 4.0, 4.0, 4.0, 3.0]
    )
    assert [r[2] for r in data["rows"]] == [3.0, 3.0, 3.0, 3.0, 1.0]  # 2021: the one assessment
    assert "2022年已评估2个组织，五项平均3.60分，最薄弱的是政治功能" in data["note"]


def test_an_assessment_made_after_the_pages_date_is_not_counted_yet(client_for, office, ledgers):
    data = panel(client_for(office), "integration", "as_of=2022-04-30")
    assert [r[1] for r in data["rows"]] == [4.0, 3.0, 5.0, 4.0, 2.0]  # 青原区's (May 10) not yet


def test_the_brands_panel_says_what_liangxin_brands_says(client_for, office, ledgers):
    client = client_for(office)
    for day in ("2022-05-31", "2022-07-01"):
        data = panel(client, "brands", f"as_of={day}")
        expected = command("brands", "--campaign", "2022", "--as-of", day)
        counts = dict(data["rows"])
        assert {stage: counts[stage] for stage in expected["brands"]} == expected["brands"]
        assert counts["应申报单位"] == expected["expected_units"] == 2
        assert counts["已申报单位"] == expected["reported_units"] == 1
        assert counts["逾期未申报单位"] == len(expected["late_units"])
        assert data["total"] == 2 and data["stages"] == 4
    assert "逾期未申报1个（司法局）" in data["note"]  # after June 30
    assert panel(client, "brands", "as_of=2023-03-01")["note"] == "2023年尚未开启品牌申报"


def test_a_county_user_sees_its_countys_pairings_and_assessments_only(client_for, ledgers):
    client = client_for(make_user("qx360803", role="county", region="360803"))
    assert panel(client, "pairings")["rows"] == []
    integration = panel(client, "integration")
    assert [r[1] for r in integration["rows"]] == [2.0, 5.0, 3.0, 4.0, 4.0]  # 青原区's only
    assert all(r[2] is None for r in integration["rows"])  # 吉州区's 2021 is not its
    assert panel(client, "brands")["rows"] == []  # its unit is not asked to report


def test_instructors_have_no_ledger_panels(client_for, ledgers):
    instructor = make_user("zdy1", role="instructor")
    client = client_for(instructor)
    for chart in ("pairings", "integration", "brands"):
        assert client.get(f"/cockpit/data/{chart}.json").status_code == 404
    page = client.get("/cockpit/").content.decode()
    assert 'data-chart="pairings"' not in page and 'data-chart="coverage"' in page


def test_the_office_page_lists_the_panels_and_exports_one(client_for, office, ledgers):
    client = client_for(office)
    page = client.get("/cockpit/").content.decode()
    assert all(f'data-chart="{c}"' in page for c in ("pairings", "integration", "brands"))
    assert (
        'data-chart="pairings"' not in client.get("/cockpit/screen/").content.decode()
    )  # the 大屏 keeps its six
    response = client.get(f"/cockpit/export/pairings.csv?{YEAR_END}")
    assert response.status_code == 200
    text = (
        b"".join(response.streaming_content).decode("utf-8-sig")
        if response.streaming
        else response.content.decode("utf-8-sig")
    )
    assert "遂川县" in text and "吉州区" in text
