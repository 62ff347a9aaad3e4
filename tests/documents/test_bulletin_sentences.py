"""The bulletin's numbers and the sentences they are written in (liangxin.documents.bulletin)."""

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest

from liangxin.documents import bulletin as b
from liangxin.documents.bulletin import ProblemTask
from liangxin.documents.requirements import draft_requirements
from tests.documents.factories import coverage_row, sample_bulletin

# ---------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (Decimal("0.813"), "81.3%"),
        (0.8125, "81.3%"),  # half up, as the decimal a person reads (binary float would say 81.2)
        (0.8124999, "81.2%"),
        (Decimal(1), "100.0%"),
        (0, "0.0%"),
        (Decimal(2) / Decimal(3), "66.7%"),
        (None, "—"),
    ],
)
def test_it_writes_percentages_with_one_decimal(rate, expected):
    assert b.format_percent(rate) == expected


def test_it_has_no_rate_when_there_is_nothing_to_divide_by():
    assert b.ratio(0, 0) is None
    assert b.ratio(3, None) is None
    assert b.ratio(None, 4) is None
    assert b.ratio(1, 8) == Decimal("0.125")


def test_it_computes_the_change_from_the_rounded_figures_a_reader_sees():
    # 81.25% shows as 81.3%, 80.04% as 80.0%: the text must say +1.3, not +1.21.
    assert b.change_points(Decimal("0.8125"), Decimal("0.8004")) == Decimal("1.3")
    assert b.change_points(Decimal("0.5"), None) is None
    assert b.change_points(None, Decimal("0.5")) is None


@pytest.mark.parametrize(
    ("points", "expected"),
    [(Decimal("1.2"), "+1.2"), (Decimal("-0.4"), "-0.4"), (Decimal(0), "0.0"), (None, "—"), (2, "+2.0")],
)
def test_it_writes_a_change_in_points_for_a_table_cell(points, expected):
    assert b.format_points(points) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, "12"), (Decimal("98.5"), "98.5"), (Decimal("96.0"), "96"), (87.25, "87.3"), (None, "—")],
)
def test_it_writes_counts_and_scores_without_needless_decimals(value, expected):
    assert b.format_number(value) == expected


def test_it_writes_dates_in_arabic_numerals_without_leading_zeros():
    assert b.chinese_date(datetime.date(2022, 6, 5)) == "2022年6月5日"


# ---------------------------------------------------------------------------- phrases


def test_it_says_a_rate_went_up_in_points():
    assert (
        b.rate_sentence("全市组织覆盖率", Decimal("0.813"), Decimal("1.2"))
        == "全市组织覆盖率为81.3%，较上月提高1.2个百分点"
    )


def test_it_says_a_rate_went_down_in_points_without_a_minus_sign():
    assert (
        b.rate_sentence("全市组织覆盖率", Decimal("0.813"), Decimal("-0.4"))
        == "全市组织覆盖率为81.3%，较上月下降0.4个百分点"
    )


def test_it_says_a_rate_stayed_the_same():
    assert b.rate_sentence("报送率", Decimal("0.9"), Decimal("0.0")) == "报送率为90.0%，与上月持平"


def test_it_makes_no_comparison_in_the_first_month():
    assert b.rate_sentence("全市组织覆盖率", Decimal("0.813"), None) == "全市组织覆盖率为81.3%"


def test_it_says_when_there_is_no_figure_at_all():
    assert b.rate_sentence("按时报送率", None, Decimal("1.0")) == "按时报送率暂无统计数据"


def test_it_rounds_a_change_given_with_more_decimals():
    assert b.change_phrase(0.25) == "较上月提高0.3个百分点"
    assert b.change_phrase(-0.04) == "与上月持平"


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [(12, 9, "较上月增加3个"), (7, 9, "较上月减少2个"), (9, 9, "与上月持平"), (9, None, "")],
)
def test_it_describes_a_change_in_a_count(current, previous, expected):
    assert b.count_change_phrase(current, previous) == expected


# ---------------------------------------------------------------------------- sections


def test_it_titles_the_bulletin_after_its_period():
    assert sample_bulletin().title == "关于2022年5月全市基层党建重点任务推进情况的通报"
    assert sample_bulletin(title="关于专项调度的通报").title == "关于专项调度的通报"


def test_it_breaks_the_default_title_where_the_meaning_allows():
    assert sample_bulletin().title_lines == ["关于2022年5月全市基层党建", "重点任务推进情况的通报"]
    assert sample_bulletin(title="关于专项调度的通报").title_lines == ["关于专项调度的通报"]


def test_it_refuses_a_month_that_does_not_exist():
    with pytest.raises(ValueError, match="通报月份“13”"):
        sample_bulletin(month=13)


def test_it_refuses_a_task_light_it_does_not_know():
    with pytest.raises(ValueError, match="任务“9 测试任务”的进展状态“blue”无法识别"):
        b.TaskRow("9", "测试任务", "民政局", "blue")


def test_it_sums_up_the_period_by_light_and_reporting_rate():
    first, second = b.overall_paragraphs(sample_bulletin())
    assert first == (
        "本月纳入调度的重点任务共17项，各牵头单位和责任单位应报送事项214个"
        "（另有5个事项已于此前完成，本月不再报送）。"
        "从进展情况看，已完成23个，正常推进141个，滞后31个，逾期19个。"
    )
    o = sample_bulletin().overall
    assert o.done + o.green + o.yellow + o.red == o.expected  # the sample adds up, as every month must
    none_earlier = sample_bulletin(overall=replace(o, earlier_done=0))
    assert "此前" not in b.overall_paragraphs(none_earlier)[0]
    # 193 / 214 = 90.19% and 176 / 214 = 82.24%
    assert second == (
        "从报送情况看，已报送193个，报送率为90.2%，较上月提高2.6个百分点；"
        "按时报送176个，按时报送率为82.2%，较上月下降1.4个百分点。"
    )


def test_it_gives_the_city_coverage_with_changes_and_names_the_best_and_worst_county():
    city, counties = b.coverage_paragraphs(sample_bulletin())
    assert city.startswith("截至2022年5月31日，全市纳入统计的两新组织共2950家。")
    assert "口径" not in city  # the default scope goes without saying
    assert "全市组织覆盖率为76.4%，较上月提高0.8个百分点" in city
    assert "单独组建率为56.0%，较上月提高0.3个百分点" in city
    assert "工作覆盖率为87.6%。" in city  # no previous figure: no comparison
    # a complete sentence, and organizations counted in 家 like the total
    assert city.endswith("应建未建党组织的两新组织有110家，党的组织和工作均未覆盖的有366家。")
    narrower = b.coverage_paragraphs(sample_bulletin(coverage_scope="规上企业"))[0]
    assert "全市纳入统计的两新组织共2950家（统计范围：规上企业）。" in narrower
    assert counties == (
        "分县（市、区）看，组织覆盖率最高的是吉州区（81.3%），最低的是吉安县（65.4%）；"
        "较上月下降的有青原区（下降0.4个百分点）。"
    )


def test_it_does_not_compare_counties_when_there_is_only_one():
    data = sample_bulletin(coverage=[coverage_row("吉州区", 10, 5, 1, 1)])
    assert len(b.coverage_paragraphs(data)) == 1


def test_it_counts_the_tasks_in_the_table_by_light():
    assert b.tasks_paragraph(sample_bulletin()) == (
        "4项重点任务中，已完成1项，正常推进1项，滞后1项，逾期1项。具体情况见下表。"
    )
    assert b.tasks_paragraph(sample_bulletin(tasks=[])) == "本月没有纳入调度的重点任务。"


def test_it_names_overdue_and_lagging_tasks_with_their_units_and_the_late_units():
    problems = dict(b.problem_sections(sample_bulletin()))
    # the lead is named as lead, the units whose part is overdue or lagging as such
    assert problems["（一）任务逾期"] == (
        "共有1项任务逾期未完成：第3项“规范联合党支部设置”（牵头单位：民政局，逾期单位：民政局、青原区委组织部）。"
    )
    assert problems["（二）任务滞后"] == (
        "共有1项任务进度滞后：第2项“推进非公企业党组织应建尽建”（牵头单位：市场监管局，滞后单位：吉安县委组织部）。"
    )
    # each late unit with what it missed, even one that sent most items on time
    assert problems["（三）未按时报送"] == (
        "2个单位未按时报送：邮政管理局（应报送4个，按时报送3个；第2项逾期报送）、"
        "网信办（应报送4个，按时报送1个；第1项、第2项逾期报送，第4项未报送）。"
    )
    # a bulletin published before the details were kept still reads
    assert dict(b.problem_sections(sample_bulletin(late_details=[])))["（三）未按时报送"] == (
        "2个单位未按时报送：邮政管理局、网信办。"
    )


def test_it_says_so_when_there_are_no_problems():
    problems = dict(
        b.problem_sections(sample_bulletin(overdue=[], lagging=[], late_units=[], late_details=[]))
    )
    assert problems["（一）任务逾期"] == "本月没有逾期未完成的任务。"
    assert problems["（二）任务滞后"] == "本月没有进度滞后的任务。"
    assert problems["（三）未按时报送"] == "各单位均按时报送。"


def test_it_keeps_task_codes_that_are_not_numbers():
    assert b.task_reference("A-1", "规范联合党支部设置") == "A-1“规范联合党支部设置”"
    assert b.task_reference("", "规范联合党支部设置") == "“规范联合党支部设置”"


def test_it_turns_quotes_inside_a_quoted_title_into_single_quotes():
    assert b.task_reference("4", "新就业群体“暖心驿站”建设") == "第4项“新就业群体‘暖心驿站’建设”"


def test_it_lists_the_red_and_black_lists_with_scores():
    rankings = dict(b.ranking_sections(sample_bulletin()))
    assert rankings["（一）红榜"] == (
        "综合得分前五名的单位（共3个单位，得分相同的名次并列）："
        "第1名，市场监管局（98.5分）；并列第2名，吉州区委组织部、民政局（96分）。"
    )
    assert (
        rankings["（二）黑榜"]
        == "综合得分后五名的单位（共1个单位，自低往高排列）：第27名，网信办（61.5分）。"
    )
    unranked = dict(b.ranking_sections(sample_bulletin(unranked=["司法局"])))
    assert unranked["（二）黑榜"].endswith("司法局本月无应报送事项，不参与排名。")
    empty = dict(b.ranking_sections(sample_bulletin(red_list=[], black_list=[])))
    assert empty["（一）红榜"] == "本月暂无上榜单位。"


def test_the_next_steps_name_the_tasks_with_the_most_units_first_and_count_the_rest():
    lagging = [ProblemTask(str(n), f"任务{n}", ["民政局"] * (n % 3 + 1), lead="工商联") for n in range(1, 6)]
    steps = draft_requirements(sample_bulletin(overdue=[], lagging=lagging, late_units=[], late_details=[]))
    assert steps[0].startswith(
        "一是推动滞后任务赶上进度。第2项“任务2”、第5项“任务5”、第1项“任务1”等5项任务进度滞后，民政局要"
    )
    assert steps[1].startswith(
        "二是持续推进应建尽建。全市还有110家两新组织应建未建党组织，吉安县、青原区等组织覆盖率较低"
    )
