"""The bulletin as a Word document in 公文 format (GB/T 9704-2012, domain.md §7)."""

import datetime
import io
import re
from dataclasses import replace

import docx
import pytest

from liangxin.documents import build_template
from liangxin.documents import bulletin as b
from liangxin.documents.docx import (
    CHAR_TWIPS,
    DEFAULT_TEMPLATE,
    TemplateProblem,
    render_bulletin,
    signature_indents,
    template_path,
)
from liangxin.documents.letterhead import Letterhead
from tests.documents import format_checks
from tests.documents.factories import sample_bulletin


def render(data=None, **kwargs) -> docx.document.Document:
    out = io.BytesIO()
    render_bulletin(data or sample_bulletin(), out, **kwargs)
    out.seek(0)
    return docx.Document(out)


def document_text(document) -> str:
    """Everything a reader sees: paragraphs and table cells, in order."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def document():
    return render()


# ---------------------------------------------------------------------------- page


def test_it_is_a4_with_the_margins_of_the_standard(document):
    format_checks.check_a4_and_margins(document)


def test_it_fits_22_lines_of_28_characters_in_the_text_block(document):
    format_checks.check_22_lines_of_28_characters(document)


def test_it_sets_the_fonts_of_the_standard_with_explicit_east_asian_names(document):
    format_checks.check_fonts_of_the_standard(document)


def test_it_names_the_east_asian_font_on_every_run_and_leaves_no_theme_font(document):
    format_checks.check_east_asian_font_on_every_run(document)


def test_it_offers_the_usual_fallback_names_for_the_government_fonts(document):
    format_checks.check_fallback_font_names(document)


def test_it_uses_heiti_for_first_and_kaiti_for_second_level_headings(document):
    format_checks.check_headings(document)


def test_it_numbers_pages_in_the_footer_odd_right_and_even_left(document):
    format_checks.check_page_numbers(document)


def test_it_repeats_the_header_row_of_every_table(document):
    format_checks.check_table_headers_repeat(document)


# ---------------------------------------------------------------------------- content


def test_it_fills_the_coverage_and_task_tables(document):
    coverage, tasks = document.tables
    rows = [[cell.text for cell in row.cells] for row in coverage.rows]
    assert rows[1] == ["吉州区", "1600", "81.3%", "+1.2", "62.5%", "90.7%", "37", "149"]
    assert rows[2][3] == "-0.4"
    assert rows[-1] == ["全市", "2950", "76.4%", "+0.8", "56.0%", "87.6%", "110", "366"]
    task_rows = [[cell.text for cell in row.cells] for row in tasks.rows]
    assert task_rows[1:] == [
        ["1", "开展两新组织党组织书记轮训", "市委组织部", "已完成", "已完成轮训286人次"],
        ["2", "推进非公企业党组织应建尽建", "市场监管局", "滞后", "完成进度47%"],
        ["3", "规范联合党支部设置", "民政局", "逾期", "尚有9个联合支部未排查"],
        ["4", "新就业群体“暖心驿站”建设", "交通运输局", "正常", "新建驿站12个"],
    ]


def expected_numbers(data: b.BulletinData) -> set[str]:
    """Every figure of the data as the document writes it."""
    o = data.overall
    numbers = {
        str(v) for v in (o.task_count, o.expected, o.submitted, o.on_time, o.done, o.green, o.yellow, o.red)
    }
    numbers |= {b.format_percent(o.report_rate), b.format_percent(o.on_time_rate)}
    numbers |= {str(abs(o.report_rate_change)), str(abs(o.on_time_rate_change))}
    for row in [*data.coverage, data.coverage_total]:
        numbers |= {str(row.in_scope), str(row.should_build), str(row.uncovered)}
        numbers |= {b.format_percent(r) for r in (row.org_rate, row.single_rate, row.work_rate)}
        numbers |= {b.format_points(row.org_rate_change)}
    numbers |= {str(abs(data.coverage_total.org_rate_change)), str(data.coverage_total.single_rate_change)}
    numbers |= {t.code for t in data.tasks} | {
        f"{b.format_number(e.score)}分" for e in data.red_list + data.black_list
    }
    numbers |= {str(len(data.tasks)), str(len(data.late_units)), str(o.earlier_done)}
    numbers |= {str(e.rank) for e in data.red_list + data.black_list}
    numbers |= {str(len(data.red_list)), str(len(data.black_list))}
    for u in data.late_details:
        numbers |= {str(u.expected), str(u.on_time), *u.late, *u.missing}
    numbers |= {b.chinese_date(data.as_of), b.chinese_date(data.issue_date)}
    return numbers


def test_every_figure_of_the_bulletin_is_in_the_document(document):
    text = document_text(document)
    missing = sorted(n for n in expected_numbers(sample_bulletin()) if n not in text)
    assert missing == []


def test_the_document_has_no_number_the_data_does_not_give(document):
    data = sample_bulletin()
    text = document_text(document)
    allowed = {"2022", "5", "31", "6", "1", "2", "3", "4"}  # period, dates, 表1/表2, counts by light
    allowed |= {re.sub(r"[^\d.]", "", n) for n in expected_numbers(data)}
    allowed |= {m for t in data.tasks for m in re.findall(r"\d+(?:\.\d+)?", t.progress)}
    found = set(re.findall(r"\d+(?:\.\d+)?", text))
    assert found - allowed == set()


def test_it_writes_the_editable_requirements_and_the_signature(document):
    paragraphs = [p.text for p in document.paragraphs]
    start = paragraphs.index("六、下步要求")
    assert paragraphs[start + 1 : start + 3] == sample_bulletin().requirements
    signature = [p for p in document.paragraphs if p.style.style_id == "Signature" and p.text]
    assert [p.text for p in signature] == ["中共吉安市委党建工作领导小组办公室", "2022年6月6日"]
    # 署名 two characters in; the date's first character two characters right of the 署名's
    issuer, date = (p.paragraph_format.right_indent.twips for p in signature)
    assert (issuer, date) == (2 * CHAR_TWIPS, round(9.75 * CHAR_TWIPS))


@pytest.mark.parametrize(
    ("issuer", "date", "expected"),
    [
        # 17 characters; 6 and 5 × ¼ where digits meet Chinese characters
        ("中共吉安市委党建工作领导小组办公室", "2022年6月6日", (2, 9.75)),
        ("吉安市委党建办", "2022年12月31日", (5.25, 2)),  # the date is longer: two in, the 署名 left
        ("党建办", "2022年12月31日", (9.25, 2)),
    ],
)
def test_it_places_the_signature_and_date_as_the_standard_says(issuer, date, expected):
    assert signature_indents(issuer, date) == expected


def test_it_writes_the_first_month_without_comparisons():
    data = sample_bulletin()
    data.overall.report_rate_change = data.overall.on_time_rate_change = None
    for row in [*data.coverage, data.coverage_total]:
        row.org_rate_change = row.single_rate_change = None
    text = document_text(render(data))
    assert "较上月" not in text.replace("较上月（百分点）", "")
    assert "全市组织覆盖率为76.4%；" in text


def test_it_keeps_user_text_with_markup_characters_intact():
    data = sample_bulletin(
        tasks=[b.TaskRow("1", "A&B <联合> 党支部", "民政局", "green", "进度 < 50% & 推进中")],
        requirements=["=1+1"],
    )
    text = document_text(render(data))
    assert "A&B <联合> 党支部" in text
    assert "进度 < 50% & 推进中" in text
    assert "=1+1" in text


def test_it_writes_zero_values_and_missing_rates_plainly():
    data = sample_bulletin(coverage=[], coverage_total=b.CoverageRow("全市", 0, None, None, None, 0, 0))
    text = document_text(render(data))
    assert "全市组织覆盖率暂无统计数据" in text


# ---------------------------------------------------------------------------- 版头, 版记, properties

LETTERHEAD = Letterhead(
    office="中共吉安市委两新工委办公室",
    number="第5期",
    recipients="各县（市、区）委组织部",
    signer="中共吉安市委两新工委办公室",
    signed_on=datetime.date(2022, 6, 6),
    copy_to="市委组织部、市委办公室",
)


def test_it_has_the_red_letterhead_with_the_issue_number_above_the_red_line():
    document = render(letterhead=LETTERHEAD)
    format_checks.check_letterhead(document, "中共吉安市委两新工委办公室", "第5期")
    assert document.paragraphs[3].text == "各县（市、区）委组织部："  # 主送 closed by a colon


def test_a_long_office_name_is_set_smaller_to_stay_on_one_line():
    office = "中共吉安市委党建工作领导小组办公室"
    document = render(letterhead=replace(LETTERHEAD, office=office))
    format_checks.check_letterhead(document, office, "第5期")
    assert document.paragraphs[0].runs[0].font.size < docx.shared.Pt(36)


def test_it_ends_with_the_imprint_of_copies_and_printing_between_its_lines():
    document = render(letterhead=LETTERHEAD)
    format_checks.check_imprint(
        document, "中共吉安市委两新工委办公室", "2022年6月6日", "抄送：市委组织部，市委办公室。"
    )
    signature = [p.text for p in document.paragraphs if p.style.style_id == "Signature" and p.text]
    assert signature == ["中共吉安市委两新工委办公室", "2022年6月6日"]


def test_without_copies_the_imprint_has_only_the_printing_line():
    document = render(letterhead=replace(LETTERHEAD, copy_to=""))
    format_checks.check_imprint(document, "中共吉安市委两新工委办公室", "2022年6月6日", None)
    assert "抄送" not in document_text(document)


def test_third_and_fourth_level_headings_are_fangsong_and_nothing_is_blue(document):
    format_checks.check_heading_styles(document)


def test_its_properties_name_the_office_in_chinese_and_nothing_of_the_tools():
    document = render(letterhead=LETTERHEAD)
    format_checks.check_properties(
        document, "关于2022年5月全市基层党建重点任务推进情况的通报", "中共吉安市委两新工委办公室"
    )


# ---------------------------------------------------------------------------- template


def test_it_uses_the_shipped_template_unless_the_settings_name_another(settings, tmp_path):
    assert template_path() == DEFAULT_TEMPLATE
    own = tmp_path / "letterhead.docx"
    letterhead = docx.Document()
    letterhead.add_paragraph("吉安市委党建办（红头）")
    letterhead.add_paragraph("{{ title }}")
    letterhead.save(own)
    settings.LIANGXIN_BULLETIN_TEMPLATE = str(own)
    assert template_path() == own
    assert [p.text for p in render().paragraphs] == [
        "吉安市委党建办（红头）",
        "关于2022年5月全市基层党建\n重点任务推进情况的通报",
    ]


def test_it_says_which_template_is_missing(settings, tmp_path):
    settings.LIANGXIN_BULLETIN_TEMPLATE = str(tmp_path / "没有.docx")
    with pytest.raises(TemplateProblem, match=r"通报模板文件“.*没有\.docx”不存在"):
        render()


def test_it_says_which_template_is_broken(settings, tmp_path):
    broken = tmp_path / "坏模板.docx"
    document = docx.Document()
    document.add_paragraph("{{ title ")
    document.save(broken)
    settings.LIANGXIN_BULLETIN_TEMPLATE = str(broken)
    with pytest.raises(TemplateProblem, match=r"通报模板“坏模板\.docx”无法生成文档"):
        render()


def test_the_shipped_template_is_what_the_build_script_makes(tmp_path):
    rebuilt = build_template.build(tmp_path / "bulletin.docx")
    assert rebuilt.read_bytes() == DEFAULT_TEMPLATE.read_bytes(), (
        "the shipped template is stale: run python -m liangxin.documents.build_template"
    )


def test_the_same_data_gives_the_same_bytes(tmp_path):
    first, second = io.BytesIO(), io.BytesIO()
    render_bulletin(sample_bulletin(), first)
    render_bulletin(sample_bulletin(), second)
    assert first.getvalue() == second.getvalue()
    document = docx.Document(io.BytesIO(first.getvalue()))
    assert document.core_properties.title == "关于2022年5月全市基层党建重点任务推进情况的通报"


def test_it_writes_to_a_path_too(tmp_path):
    target = tmp_path / "通报.docx"
    render_bulletin(sample_bulletin(), target)
    assert docx.Document(target).paragraphs[2].text.endswith("的通报")
