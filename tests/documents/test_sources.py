"""A bulletin built by hand, read back from every place it shows a count: the .docx text and
tables, the workbook and `dispatch_status --json` say the same, and the lights add up.

May 2022, due day the 25th, as of May 31:

* task 1 “快递驿站” (长期), lead 交通运输局, with 邮政管理局 and 民政局: 交通运输局 on time
  (60%); 邮政管理局 on the 27th (late, 滞后); 民政局 nothing (滞后 after the due day);
* task 2 “社会组织党建” (due May 20), lead 民政局, with 网信办: 民政局 on time (40%, 逾期);
  网信办 nothing (逾期);
* task 3 “行业党委” (due June 30), lead 司法局, with 工商联: 司法局 finished in April and was
  accepted (此前已完成, not expected); 工商联 reports 已完成 on time.

Expected 6 = 已完成 1 + 正常 1 + 滞后 2 + 逾期 2, 此前已完成 1. Scores: 工商联 100, 交通运输局 70,
邮政管理局 35 (late) and 民政局 35 (one of two on time) share 3rd, 网信办 0 is 5th; 司法局 has
nothing expected and is not ranked. Late: 邮政管理局, 民政局, 网信办.
"""

import datetime
import io
import json
import re
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.core.management import call_command

from liangxin.dispatch import reports
from liangxin.documents import services
from liangxin.documents.docx import render_bulletin
from liangxin.documents.workbook import write_bulletin_workbook
from tests.coverage.factories import make_org, make_party_org
from tests.dispatch.factories import at, make_period, make_task, submit

D = datetime.date
LIGHT_WORDS = ("已完成", "正常推进", "滞后", "逾期")


@pytest.fixture
def month(city, office):
    covered = [make_org(f"吉州企业{i}", members=4) for i in range(3)]
    make_party_org("吉州企业联合党支部", *covered[:2])
    make_org("吉州企业甲", members=5)
    april, may = make_period("2022-04"), make_period("2022-05")
    first = make_task("1", units=("邮政管理局", "民政局"), title="快递驿站", deadline=None)
    second = make_task("2", lead="民政局", units=("网信办",), title="社会组织党建", deadline=D(2022, 5, 20))
    third = make_task("3", lead="司法局", units=("工商联",), title="行业党委", deadline=D(2022, 6, 30))
    finished = submit(third, "司法局", april, when="2022-04-10", status="done", percent=100)
    reports.accept_report(finished, actor=office, at=at("2022-04-12"))
    submit(first, "交通运输局", may, when="2022-05-20", percent=60)
    submit(first, "邮政管理局", may, when="2022-05-27", status="lagging", percent=10)
    submit(second, "民政局", may, when="2022-05-10", percent=40)
    submit(third, "工商联", may, when="2022-05-10", status="done", percent=100)
    return may


@pytest.fixture
def made(month):
    data = services.make_bulletin(period=D(2022, 5, 1), as_of=D(2022, 5, 31), issue_date=D(2022, 6, 6))
    content, book = io.BytesIO(), io.BytesIO()
    render_bulletin(data, content)
    write_bulletin_workbook(data, book)
    out = io.StringIO()
    call_command("dispatch_status", "--period=2022-05", "--as-of=2022-05-31", "--json", stdout=out)
    document = docx.Document(io.BytesIO(content.getvalue()))
    return {
        "data": data,
        "text": "\n".join(p.text for p in document.paragraphs),
        "tables": [[[c.text for c in row.cells] for row in t.rows] for t in document.tables],
        "book": openpyxl.load_workbook(io.BytesIO(book.getvalue())),
        "json": json.loads(out.getvalue()),
    }


def test_every_count_is_the_same_in_the_text_the_tables_the_workbook_and_the_command(made):
    totals = made["json"]["totals"]
    assert totals == {
        "expected": 6,
        "submitted": 4,
        "on_time": 3,
        "done": 1,
        "green": 1,
        "yellow": 2,
        "red": 2,
        "earlier_done": 1,
    }
    # the docx text
    overall = re.search(
        r"应报送事项(\d+)个（另有(\d+)个事项已于此前完成，本月不再报送）。"
        r"从进展情况看，已完成(\d+)个，正常推进(\d+)个，滞后(\d+)个，逾期(\d+)个。",
        made["text"],
    )
    expected, earlier, *lights = (int(v) for v in overall.groups())
    assert (expected, earlier, *lights) == (6, 1, 1, 1, 2, 2)
    assert sum(lights) == expected
    # April: 1 of 7 pairs reported (14.3%), on time; May 4 and 3 of 6
    assert (
        "已报送4个，报送率为66.7%，较上月提高52.4个百分点；按时报送3个，按时报送率为50.0%，较上月提高35.7个百分点。"
    ) in made["text"]
    # the docx task table: each task's lights add up to its expected units
    tasks = {row[0]: row for row in made["tables"][1][1:]}
    assert tasks["1"][3:] == ["滞后", "应报送单位3个：正常推进1个，滞后2个；本月未报送1个；平均进度35.0%"]
    assert tasks["2"][3:] == ["逾期", "应报送单位2个：逾期2个；本月未报送1个；平均进度40.0%"]
    assert tasks["3"][3:] == ["已完成", "应报送单位1个：已完成1个；平均进度100.0%；另有1个单位此前已完成"]
    in_table = 0
    for row in tasks.values():
        summary = row[4]
        counted = sum(int(n) for n in re.findall(r"(?:已完成|正常推进|滞后|逾期)(\d+)个", summary))
        due = int(re.match(r"应报送单位(\d+)个", summary).group(1))
        assert counted == due
        in_table += due
    assert in_table == totals["expected"]
    # the workbook
    sheet = {row[0]: row[1] for row in made["book"]["总体情况"].iter_rows(min_row=3, values_only=True)}
    assert sheet["应报送事项（个）"] == totals["expected"]
    assert sheet["此前已完成、本月不再报送（个）"] == totals["earlier_done"]
    assert [sheet[f"{w}（个）"] for w in LIGHT_WORDS] == [
        totals[k] for k in ("done", "green", "yellow", "red")
    ]
    assert (sheet["已报送（个）"], sheet["按时报送（个）"]) == (totals["submitted"], totals["on_time"])
    grid = list(made["book"]["任务单位明细"].iter_rows(min_row=3, values_only=True))
    assert sum(1 for row in grid if row[4] != "此前已完成") == totals["expected"]
    assert [row[3:7] for row in grid if row[4] == "此前已完成"] == [("司法局", "此前已完成", 100, "无需报送")]


def test_the_cockpit_json_says_the_same_counts(made, client_for, office):
    """The cockpit's JSON for 2022年5月 (a past period: as of its last day, May 31) shows the
    counts of the docx, the workbook and `dispatch_status --json` above."""
    totals, client = made["json"]["totals"], client_for(office)

    def chart(name: str) -> dict:
        response = client.get(f"/cockpit/data/{name}.json?period=2022-05")
        assert response.status_code == 200
        return response.json()

    lights = chart("lights")
    assert "2022年5月31日" in lights["title"]
    assert (
        dict(zip(lights["codes"], [n for _, n in lights["rows"]], strict=True))
        == {
            "done": 1,
            "green": 1,
            "yellow": 2,
            "red": 2,
        }
        == {k: totals[k] for k in ("done", "green", "yellow", "red")}
    )
    assert lights["expected"] == totals["expected"] == sum(n for _, n in lights["rows"]) == 6
    assert lights["note"] == "应报送6个，此前已完成1个（不计入本月）"
    tiles = {t["key"]: t for t in chart("tiles")["tiles"]}
    assert (tiles["report_rate"]["text"], tiles["report_rate"]["change_text"]) == ("66.7%", "▲52.4个百分点")
    assert (tiles["on_time_rate"]["text"], tiles["on_time_rate"]["change_text"]) == ("50.0%", "▲35.7个百分点")
    assert tiles["red"]["value"] == totals["red"] == 2
    assert tiles["should_build"]["value"] == made["data"].coverage_total.should_build == 2
    assert f"应建未建党组织的两新组织有{tiles['should_build']['value']}家" in made["text"]
    # per unit: the reporting chart's rates are the workbook's 单位报送情况 (fractions there)
    book = {
        row[0]: [row[4] * 100, row[5] * 100]
        for row in made["book"]["单位报送情况"].iter_rows(min_row=3, values_only=True)
        if row[1]  # 司法局: nothing expected, not on the chart
    }
    assert {row[0]: row[1:] for row in chart("reporting")["rows"]} == book
    assert set(book) == {u["unit"] for u in made["json"]["units"] if u["expected"]}
    lagging = chart("lagging")["rows"]
    assert sum(1 for row in lagging if row[3] == "逾期") == totals["red"]
    assert sum(1 for row in lagging if row[3] == "滞后") == totals["yellow"]


def test_the_lead_is_named_as_lead_and_the_late_units_say_what_they_missed(made):
    text = made["text"]
    assert (
        "共有1项任务逾期未完成：第2项“社会组织党建”（牵头单位：民政局，逾期单位：民政局、网信办）。" in text
    )
    assert (
        "共有1项任务进度滞后：第1项“快递驿站”（牵头单位：交通运输局，滞后单位：民政局、邮政管理局）。" in text
    )
    assert (
        "3个单位未按时报送：民政局（应报送2个，按时报送1个；第1项未报送）、"
        "邮政管理局（应报送1个，按时报送0个；第1项逾期报送）、网信办（应报送1个，按时报送0个；第2项未报送）。"
    ) in text
    late = {u["unit"]: (u["late"], u["missing"]) for u in made["json"]["units"] if u["rank"] is not None}
    assert {name for name, (lagged, missed) in late.items() if lagged or missed} == {
        "邮政管理局",
        "民政局",
        "网信办",
    }


def test_ranks_are_shared_and_the_unit_with_nothing_expected_is_not_ranked(made):
    text = made["text"]
    assert (
        "综合得分前五名的单位（共5个单位，得分相同的名次并列）：第1名，工商联（100分）；第2名，交通运输局（70分）；"
        "并列第3名，民政局、邮政管理局（35分）；第5名，网信办（0分）。"
    ) in text
    assert "司法局本月无应报送事项，不参与排名。" in text
    ranks = {u["unit"]: u["rank"] for u in made["json"]["units"]}
    assert ranks == {"工商联": 1, "交通运输局": 2, "邮政管理局": 3, "民政局": 3, "网信办": 5, "司法局": None}
    board = list(made["book"]["红黑榜"].iter_rows(min_row=3, values_only=True))
    assert [(r[1], r[2], r[4]) for r in board] == [
        (1, "工商联", None),
        (2, "交通运输局", None),
        (3, "民政局", "并列"),
        (3, "邮政管理局", "并列"),
        (5, "网信办", None),
    ]


def test_prose_counts_organizations_in_jia_and_every_rate_has_one_decimal(made):
    text = made["text"]
    assert "全市纳入统计的两新组织共4家。" in text and "口径" not in text
    assert "应建未建党组织的两新组织有2家，党的组织和工作均未覆盖的有2家。" in text
    rates = re.findall(r"(\d+(?:\.\d+)?)%", text)
    assert rates and all("." in rate for rate in rates)
    averages = [cell for row in made["tables"][1][1:] for cell in re.findall(r"平均进度([\d.]+)%", row[4])]
    assert averages and all("." in a for a in averages)
    for row in made["tables"][0][1:]:
        assert all(re.fullmatch(r"\d+\.\d%|—", cell) for cell in (row[2], row[4], row[5])), row


def test_the_next_steps_are_drafted_from_the_months_facts(made):
    steps = made["data"].requirements
    assert steps[0].startswith(
        "一是加快推进逾期任务。第2项“社会组织党建”已超过完成时限仍未完成，民政局、网信办要"
    )
    assert steps[1].startswith("二是推动滞后任务赶上进度。第1项“快递驿站”进度滞后，民政局、邮政管理局要")
    assert steps[2].startswith(
        "三是严格落实按时报送制度。本月民政局、邮政管理局、网信办未按时报送，各单位要在每月25日前"
    )
    assert steps[3].startswith("四是持续推进应建尽建。全市还有2家两新组织应建未建党组织，")
    assert steps == made["text"].split("六、下步要求\n")[1].split("\n")[: len(steps)]


def test_a_month_with_nothing_wrong_gets_one_general_requirement(city):
    may = make_period("2022-05")
    task = make_task("1", deadline=None)
    submit(task, "交通运输局", may, when="2022-05-10")
    data = services.make_bulletin(period=D(2022, 5, 1), as_of=D(2022, 5, 31), issue_date=D(2022, 6, 6))
    assert data.requirements == [
        "一是保持工作力度。本月各项任务推进正常，各单位要对照任务清单和完成时限压茬推进，确保全年任务按期完成。"
    ]


def test_a_month_without_a_dispatch_period_is_refused_in_chinese(city):
    with pytest.raises(services.BulletinProblem, match="调度期 2022-07 不存在"):
        services.make_bulletin(period=D(2022, 7, 1), as_of=D(2022, 7, 31), issue_date=D(2022, 8, 6))


def test_it_compares_with_last_month_from_the_same_services(month):
    data = services.make_bulletin(period=D(2022, 5, 1), as_of=D(2022, 5, 31), issue_date=D(2022, 6, 6))
    # April: 1 of 7 pairs (司法局's), on time → 14.3%; May 66.7% and 50.0%
    assert data.overall.report_rate_change == Decimal("52.4")
    assert data.overall.on_time_rate_change == Decimal("35.7")
    first = services.make_bulletin(period=D(2022, 4, 1), as_of=D(2022, 4, 30), issue_date=D(2022, 5, 6))
    assert first.overall.report_rate_change is None  # no March period: no comparison
