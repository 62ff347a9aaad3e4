"""年度考核's 台账成绩分: the brand campaign, 结对共建, 五融入五提升 and the 行业党委 ledgers counted by
their own apps, weighted in with the others — a case computed by hand; equal scores share a rank."""

import datetime
import io
import json

import docx
import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from liangxin.brands import services as brands
from liangxin.brands.models import Brand, Level, Stage
from liangxin.core.models import MemberUnit, Region
from liangxin.documents.assessment_ledger import LedgerContext, ledger_items, ledger_score
from liangxin.integration.models import Assessment
from liangxin.pairings.models import Pairing
from tests.committee.factories import make_committee
from tests.coverage.factories import make_org as make_covered_org
from tests.coverage.factories import make_party_org
from tests.dispatch.factories import make_period, make_task, submit, unit
from tests.registry.factories import make_org
from tests.workforce.factories import make_station

D = datetime.date
TAOSHUXIA = "360802001001"  # 吉州区 古南街道 桃树下居委会


@pytest.fixture
def ledgers(city, office):
    """One task (the brand campaign's, 邮政管理局 leading; 民政局, 司法局, 财政局 reporting), due
    30 June; May is the only period. 邮政管理局 and 民政局 must report brands."""
    may = make_period("2022-05")
    task = make_task(
        "1",
        lead="邮政管理局",
        units=("民政局", "司法局", "财政局"),
        title="明确“两新”组织党建品牌",
        start=D(2022, 5, 1),
        deadline=D(2022, 6, 30),
    )
    with time_machine.travel("2022-05-02 09:00 +0800", tick=False):
        campaign = brands.open_campaign(
            2022, actor=office, units=[unit("邮政管理局"), unit("民政局")], task=task
        )
        Brand.objects.create(
            campaign=campaign,
            name="快递小哥之家",
            level=Level.ENTERPRISE,
            unit=unit("邮政管理局"),
            stage=Stage.NAMED,
        )
        stopped = Brand.objects.create(
            campaign=campaign, name="社会组织服务站", level=Level.SITE, unit=unit("民政局"), stage=Stage.BUILT
        )
    Brand.objects.filter(pk=stopped.pk).update(active=False, inactive_on=D(2022, 9, 1))
    submit(task, "邮政管理局", may, when="2022-05-20", status="done", percent=100)  # 100.0, done on time
    for name in ("民政局", "司法局", "财政局"):
        submit(task, name, may, when="2022-05-20")  # on time, not done: 70.0
    make_committee("吉安市快递行业党委", owner="邮政管理局", tags=("快递",), founded_on=D(2021, 1, 1))
    association = make_org("吉安市养老服务协会", kind="social", supervising_unit=unit("民政局"))
    Pairing.objects.create(
        organization=association, village=Region.objects.get(code=TAOSHUXIA), starts_on=D(2022, 3, 1)
    )
    Assessment.objects.create(
        organization=association, year=2022, governance=5, business=4, operations=4, workers=3, ideology=3,
        assessor="民政局", assessed_on=D(2022, 10, 8),
    )  # fmt: skip
    return may


def assessment_json():
    out = io.StringIO()
    call_command("assessment", "--year=2022", "--as-of=2022-12-31", "--json", stdout=out)
    return {u["unit"]: u for u in json.loads(out.getvalue())["units"]}


def test_the_ledger_component_and_the_scores_equal_the_hand_computed_case(ledgers):
    units = assessment_json()
    items = {name: {i["item"]: i["score"] for i in u["ledger_items"]} for name, u in units.items()}
    # reported by 30 June, its brand still running; its committee exists
    assert items["邮政管理局"] == {"品牌示范": 100.0, "行业（综合）党委": 100.0}
    # no brand reported (the one it registered stopped anyway); a pairing in 2022; the five
    # dimensions average (5+4+4+3+3)/5 = 3.8 → 76; supervises 社会组织 and runs no committee
    assert items["民政局"] == {
        "品牌示范": 0.0,
        "结对共建": 100.0,
        "五融入五提升": 76.0,
        "行业（综合）党委": 0.0,
    }
    assert items["司法局"] == items["财政局"] == {"行业（综合）党委": 0.0}
    assert {n: u["ledger"] for n, u in units.items()} == {
        "邮政管理局": 100.0,
        "民政局": 44.0,  # (0 + 100 + 76 + 0) ÷ 4
        "司法局": 0.0,
        "财政局": 0.0,
    }
    # weights 50, 20, 15, 15; a part without data drops out with its weight
    assert (
        units["邮政管理局"]["score"] == 100.0
    )  # (50×100 + 20×100 + 15×100) ÷ 85, no organizations in its field
    assert units["民政局"]["coverage_gain"] == 0.0  # its association has no party organization
    assert units["民政局"]["score"] == 41.6  # (50×70 + 20×0 + 15×0 + 15×44) ÷ 100
    assert units["司法局"]["score"] == units["财政局"]["score"] == 41.2  # (50×70 + 20×0 + 15×0) ÷ 85
    assert {n: u["rank"] for n, u in units.items()} == {
        "邮政管理局": 1,
        "民政局": 2,
        "司法局": 3,
        "财政局": 3,
    }


def test_the_ledger_weight_is_configurable_and_published(ledgers, settings):
    settings.LIANGXIN_ASSESSMENT_WEIGHTS = (50, 20, 15, 0)
    units = assessment_json()
    assert units["民政局"]["score"] == 41.2  # (50×70 + 20×0 + 15×0 + 0×44) ÷ 85: the ledger no longer counts
    out = io.StringIO()
    call_command("assessment", "--year=2022", "--as-of=2022-12-31", stdout=out)
    assert "0 × 台账成绩分" in out.getvalue() and "台账成绩分为下列适用项目得分的平均" in out.getvalue()


def test_the_page_the_workbook_and_the_document_show_the_ledger(client, office, ledgers):
    client.force_login(office)
    query = {"year": "2022", "as_of": "2022-12-31"}
    with time_machine.travel("2023-01-10 10:00 +0800", tick=False):
        page = client.get(reverse("documents:assessment"), query).content.decode()
        workbook = client.get(reverse("documents:assessment_xlsx"), query).content
        document = docx.Document(io.BytesIO(client.get(reverse("documents:assessment_docx"), query).content))
    units = assessment_json()
    ledger_table = page.split('id="ledger-table"')[1].split("</table>")[0]
    assert '五融入五提升</td><td class="num">76.0</td><td>评估1个组织，五项平均3.80分' in ledger_table
    assert "15 × 台账成绩分" in page and "台账成绩分为下列适用项目得分的平均" in page
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    sheet = book["2022年度考核"]
    assert sheet["K1"].value == "台账成绩分"
    assert {r[1]: r[10] for r in sheet.iter_rows(min_row=2, values_only=True)} == {
        n: u["ledger"] for n, u in units.items()
    }
    assert "台账成绩分为下列适用项目得分的平均" in book["考核办法"]["A2"].value
    rows = [[c.text for c in r.cells] for r in document.tables[0].rows]
    assert rows[0][5] == "台账成绩分"
    assert {r[1]: float(r[5]) for r in rows[1:]} == {n: u["ledger"] for n, u in units.items()}
    assert any("台账成绩分为下列适用项目得分的平均" in p.text for p in document.paragraphs)


def test_a_countys_ledger_counts_its_stations_covered_and_what_it_has_not_done(city):
    jizhou = MemberUnit.objects.get(kind="county_org", region__code="360802")
    express = make_covered_org("吉安市顺丰速运有限公司吉州分公司", region="360802001")
    make_party_org("顺丰速运吉州分公司党支部", express, founded_on=D(2020, 1, 1))
    make_station("顺丰古南站", region="360802001", organization=express)  # covered
    make_station("美团古南站", platform="美团", region="360802001")  # no registered organization
    make_station("顺丰泰和站", region="360826100")  # another county's: not counted
    items = ledger_items(jizhou, LedgerContext(2022, D(2022, 12, 31)))
    assert [(i.label, i.score, i.detail) for i in items] == [
        ("结对共建", 0.0, "在结对0对，项目0个"),
        ("五融入五提升", 0.0, "本年度尚无评估"),
        ("新就业群体", 50.0, "站点2个，已覆盖1个"),
    ]  # no brand campaign; a county runs no 行业党委 of its own
    assert ledger_score(items) == 16.7  # (0 + 0 + 50) ÷ 3
