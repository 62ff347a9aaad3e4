"""五融入五提升: only organizations with a party organization, the sheet as offices write it,
summaries equal to counts made by hand, and nothing of another county's for an outsider."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from liangxin.core.models import MemberUnit
from liangxin.integration import services
from liangxin.integration.models import Assessment
from liangxin.integration.summary import summarize
from tests.coverage.factories import make_org, make_party_org, write_workbook
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

pytestmark = pytest.mark.django_db
D = datetime.date
KEYS = ["governance", "business", "operations", "workers", "ideology"]
HEADER = ["统一社会信用代码", "组织名称", "评估年度", "治理结构", "营商环境", "生产经营", "职工需求", "意识形态",
          "治理结构做法", "评估人", "评估日期"]  # fmt: skip


def covered(name, region="360802001", **fields):
    org = make_org(name, region=region, members=5, **fields)
    make_party_org(f"{name}党支部", org)
    return org


def assess(org, year, scores, on=None):
    return services.save_assessment(
        org,
        actor=None,
        year=year,
        scores=dict(zip(KEYS, scores, strict=True)),
        assessor="评估组",
        assessed_on=on or D(year, 11, 1),
    )[0]


def import_json(path, *args):
    out = io.StringIO()
    call_command("import_data", str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue())["sheets"][0]


def test_an_organization_without_a_party_organization_gets_a_clear_error(city):
    bare = make_org("吉州无党组织公司")
    with pytest.raises(services.AssessmentError, match="没有单独或联合组建的党组织"):
        assess(bare, 2022, [3, 3, 3, 3, 3])
    assert not Assessment.objects.exists()


def test_a_score_outside_1_to_5_is_refused(city):
    with pytest.raises(services.AssessmentError, match="1 到 5"):
        assess(covered("吉州甲"), 2022, [3, 3, 6, 3, 3])


def test_the_sheet_imports_valid_rows_and_refuses_bad_ones_naming_row_and_column(city, tmp_path):
    good, bare = covered("吉州甲"), make_org("吉州无党组织公司")
    path = write_workbook(
        tmp_path / "评估.xlsx",
        {
            "评估": [
                HEADER,
                [
                    good.credit_code,
                    good.name,
                    2022,
                    5,
                    4,
                    "3分",
                    4,
                    2,
                    "书记进董事会",
                    "县委组织部",
                    "2022-11-20",
                ],
                [bare.credit_code, bare.name, 2022, 3, 3, 3, 3, 3, None, "县委组织部", "2022-11-20"],
                [good.credit_code, good.name, 2021, 3, 3, 9, 3, 3, None, "县委组织部", "2021-11-20"],
                [good.credit_code, good.name, 2022, 3, 3, 3, 3, 3, None, "县委组织部", "2022-11-21"],
            ]
        },
    )
    sheet = import_json(path)
    assert (sheet["created"], sheet["rejected"]) == (1, 3)
    errors = {(e["row"], e["column"]): e["message"] for e in sheet["errors"]}
    assert "没有单独或联合组建的党组织" in errors[(3, "统一社会信用代码")]
    assert (4, "生产经营") in errors
    assert "同一组织同一年度" in errors[(5, "统一社会信用代码")]
    a = Assessment.objects.get()
    assert (a.scores, a.governance_note) == ([5, 4, 3, 4, 2], "书记进董事会")
    assert import_json(path)["unchanged"] == 1  # the same file again changes nothing


def three_assessed_in_2022():
    """吉州甲 and 吉州乙 (制造业, 吉州区; 吉州乙 under 民政局), 遂川丙 (批发和零售业, 遂川县); 吉州甲 also in 2021."""
    civil = MemberUnit.objects.get(name="民政局")
    a = covered("吉州甲", industry_section="C")
    b = covered("吉州乙", industry_section="C", supervising_unit=civil)
    c = covered("遂川丙", region="360827101", industry_section="F")
    assess(a, 2022, [5, 4, 3, 4, 2])
    assess(b, 2022, [3, 4, 5, 2, 2])
    assess(c, 2022, [4, 4, 4, 4, 1])
    assess(a, 2021, [3, 3, 3, 3, 3])


def test_the_summary_equals_counts_made_by_hand(city):
    three_assessed_in_2022()
    by_region = summarize(Assessment.objects.all(), 2022, "region")
    t = by_region.total
    assert t.assessed == 3
    assert t.averages["governance"] == Decimal("4.00")  # (5+3+4)/3
    assert t.averages["ideology"] == Decimal("1.67")  # (2+2+1)/3
    assert t.weakest == "ideology"
    assert t.overall == Decimal("3.40")  # (18 + 16 + 17) / 15
    assert t.change == Decimal("0.40")  # last year: one assessment, all 3
    rows = {r.label: r for r in by_region.rows}
    assert (rows["吉州区"].assessed, rows["吉州区"].averages["operations"]) == (2, Decimal("4.00"))
    assert rows["吉州区"].weakest == "ideology" and rows["吉州区"].previous_assessed == 1
    assert rows["遂川县"].previous_assessed is None and rows["遂川县"].change is None
    by_industry = {r.label: r.assessed for r in summarize(Assessment.objects.all(), 2022, "industry").rows}
    assert by_industry == {"制造业": 2, "批发和零售业": 1}
    by_unit = {r.label: r.assessed for r in summarize(Assessment.objects.all(), 2022, "unit").rows}
    assert by_unit == {"民政局": 1, "未填写": 2}


def test_the_summary_by_committee_counts_the_organizations_in_each_committees_field(city, client_for):
    from tests.committee.factories import make_committee

    three_assessed_in_2022()
    make_committee("制造业行业党委", owner="工信局", industries=("C",), founded_on=D(2021, 3, 1))
    make_committee("商贸流通行业党委", owner="商务局", industries=("F",), founded_on=D(2022, 3, 1))
    make_committee(
        "律师行业党委", owner="司法局", industries=("L",), founded_on=D(2021, 1, 1)
    )  # none assessed
    make_committee("来年成立的党委", owner="工信局", industries=("C",), founded_on=D(2023, 2, 1))
    summary = summarize(Assessment.objects.all(), 2022, "committee")
    rows = {r.label: r for r in summary.rows}
    assert set(rows) == {"制造业行业党委", "商贸流通行业党委"}
    making = rows["制造业行业党委"]
    assert making.assessed == 2 and making.average_list == [Decimal("4.00")] * 3 + [
        Decimal("3.00"),
        Decimal("2.00"),
    ]
    assert (making.overall, making.weakest, making.previous_assessed, making.change) == (
        Decimal("3.40"),  # (4+4+4+3+2)/5
        "ideology",
        1,
        Decimal("0.40"),  # last year: 吉州甲's 3s
    )
    trade = rows["商贸流通行业党委"]
    assert (trade.assessed, trade.overall, trade.previous_assessed) == (1, Decimal("3.40"), None)
    assert summary.total.assessed == 3
    out = io.StringIO()
    call_command("integration", "--year", "2022", "--by", "committee", "--json", stdout=out)
    assert {r["name"]: r["assessed"] for r in json.loads(out.getvalue())["rows"]} == {
        "制造业行业党委": 2,
        "商贸流通行业党委": 1,
    }
    jizhou = client_for(make_user("jizhou", role="county", region="360802"))
    page = jizhou.get(reverse("integration:summary") + "?year=2022&by=committee").content.decode()
    assert "2022年已评估 2 个组织" in page and "制造业行业党委" in page and "商贸流通行业党委" not in page


def test_the_command_summarizes_by_region_or_industry_within_the_users_jurisdiction(city):
    assess(covered("吉州甲", industry_section="C"), 2022, [5, 4, 3, 4, 2])
    make_user("suichuan", role="county", region="360827")
    out = io.StringIO()
    call_command("integration", "--year", "2022", "--by", "industry", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"]["assessed"] == 1 and data["rows"][0]["name"] == "制造业"
    assert data["total"]["weakest"] == "引导功能"
    out = io.StringIO()
    call_command(
        "integration", "--year", "2022", "--by", "region", "--user", "suichuan", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["total"]["assessed"] == 0 and data["rows"] == []


def test_the_command_counts_as_of_a_date_only_assessments_made_by_then(city):
    assess(covered("五月评估"), 2022, [5, 5, 5, 5, 5], on=D(2022, 5, 20))
    assess(covered("十一月评估"), 2022, [3, 3, 3, 3, 3], on=D(2022, 11, 1))
    totals = {}
    for as_of in ("2022-05-31", "2022-12-31"):
        out = io.StringIO()
        call_command("integration", "--year", "2022", "--as-of", as_of, "--json", stdout=out)
        totals[as_of] = json.loads(out.getvalue())["total"]["assessed"]
    assert totals == {"2022-05-31": 1, "2022-12-31": 2}


def test_the_form_refuses_an_organization_without_a_party_organization(city, office, client_for):
    bare = make_org("吉州无党组织公司")
    data = {"credit_code": bare.credit_code, "year": 2022, "assessor": "评估组", "assessed_on": "2022-11-01"}
    data |= {key: "3" for key in KEYS}
    response = client_for(office).post(reverse("integration:create"), data)
    assert response.status_code == 200 and "没有单独或联合组建的党组织" in response.content.decode()


class TestAssessmentPagesForAnOutsider(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city):
        a = assess(covered("吉州建工集团"), 2022, [5, 4, 3, 4, 2])
        return ScopeCase(
            obj=a,
            insider=make_user("jizhou", role="county", region="360802"),
            outsider=make_user("suichuan", role="county", region="360827"),
            marker="吉州建工集团",
            detail_urls=[
                reverse("integration:detail", args=[a.pk]),
                reverse("integration:edit", args=[a.pk]),
            ],
            list_urls=[reverse("integration:list")],
            export_urls=[reverse("integration:export", args=["csv"])],
            change_urls=[reverse("integration:edit", args=[a.pk])],
        )


def test_the_summary_page_counts_only_the_users_jurisdiction(city, client_for):
    assess(covered("吉州建工集团"), 2022, [5, 4, 3, 4, 2])
    url = reverse("integration:summary") + "?year=2022"
    inside = client_for(make_user("jizhou", role="county", region="360802")).get(url).content.decode()
    outside = client_for(make_user("suichuan", role="county", region="360827")).get(url).content.decode()
    assert "2022年已评估 1 个组织" in inside and "吉州区" in inside
    assert "2022年已评估 0 个组织" in outside and "吉州区" not in outside


def test_the_demo_assesses_only_organizations_with_a_party_organization(city):
    from liangxin.integration import demo

    covered("吉州甲")
    make_org("吉州无党组织公司")
    demo.load(city, io.StringIO())
    assert set(Assessment.objects.values_list("organization__name", "year")) == {
        ("吉州甲", 2021),
        ("吉州甲", 2022),
    }


def test_a_task_linked_to_the_assessments_prefills_the_units_report(city):
    from liangxin.dispatch import reports
    from tests.dispatch.factories import make_period, make_task

    civil = MemberUnit.objects.get(name="民政局")
    assess(covered("吉州社工协会", supervising_unit=civil), 2022, [5, 4, 3, 4, 2], on=D(2022, 5, 10))
    task = make_task("9", lead="民政局")
    task.measure = "integration.assessed"
    task.save()
    data = reports.prefill(task, civil, make_period("2022-06"), today=D(2022, 6, 10))
    assert "2022年已评估 1 个组织，五项平均 3.60 分，最薄弱的是引导功能" in data["progress"]
    assert "吉州社工协会：5、4、3、4、2（合计 18 分）" in data["progress"]
