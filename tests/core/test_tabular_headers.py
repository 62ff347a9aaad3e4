"""Header row detection, header matching and row classification (liangxin.core.tabular.headers)."""

import datetime

import pytest
import xlsxwriter

from liangxin.core.tabular.codes import credit_code_problem, normalize_credit_code
from liangxin.core.tabular.files import check_and_read
from liangxin.core.tabular.headers import (
    Column,
    DataRow,
    SheetSpec,
    classify_row,
    column_letter,
    find_header,
    header_not_found_message,
    is_skippable_row,
    normalize_header,
)
from liangxin.core.tabular.values import ValueProblem, parse_date, parse_int

ORG_SPEC = SheetSpec(
    type="organization",
    label="两新组织名单",
    columns=[
        Column("name", "单位名称", ("企业名称", "组织名称", "名称"), required=True),
        Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码"), required=True),
        Column("employees", "从业人员数", ("从业人数", "职工人数")),
        Column("members", "党员人数", ("党员数",)),
        Column("probationary", "预备党员人数", ("党员人数（预备）",)),
        Column("founded", "成立日期", ("成立时间",)),
        Column("leader_name", "负责人姓名", ("负责人",)),
        Column("leader_phone", "负责人电话", ("联系电话",)),
    ],
    signature=("name", "credit_code"),
)
PARTY_SPEC = SheetSpec(
    type="party_org",
    label="党组织名单",
    columns=[
        Column("name", "党组织名称", required=True),
        Column("org_name", "单位名称", required=True),
        Column("credit_code", "统一社会信用代码"),
        Column("secretary", "书记姓名"),
        Column("members", "党员人数"),
        Column("founded", "成立日期"),
    ],
    signature=("name", "org_name"),
)


# ---------------------------------------------------------------------------- normalize_header


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("单位名称", "单位名称"),
        (" 单位\u3000名称 ", "单位名称"),
        ("党员\n人数", "党员人数"),
        ("党员人数（人）", "党员人数"),
        ("党员人数(人)", "党员人数"),
        ("从业人员数【必填】", "从业人员数"),
        ("注册资本(万元)", "注册资本"),
        ("*单位名称", "单位名称"),
        ("单位名称*", "单位名称"),
        ("单位名称＊", "单位名称"),
        ("单位名称：", "单位名称"),
        ("联系电话:", "联系电话"),
        ("资产总额（万元）*", "资产总额"),
        ("ＥＭＡＩＬ", "email"),
        ("Email", "email"),
        ("（备注）", "(备注)"),
        (None, ""),
        (2023.0, "2023"),
    ],
)
def test_it_normalizes_headers_for_matching(raw, expected):
    assert normalize_header(raw) == expected


def test_it_can_keep_the_bracketed_part_when_asked():
    assert normalize_header("党员人数（预备）", strip_unit=False) == "党员人数(预备)"


# ---------------------------------------------------------------------------- find_header


def test_it_finds_the_header_below_title_and_blank_rows_and_maps_columns_by_synonyms():
    rows = [
        ["2024年吉安市两新组织名单", None, None],
        [None, None, None],
        ["填报单位：吉州区委组织部", None, None],
        ["序号", "企业名称 ", "信用代码*", "从业人数（人）"],
        [1, "某某公司", "91350100M000100Y43", 12],
    ]

    match = find_header(rows, [ORG_SPEC])

    assert match.spec is ORG_SPEC
    assert match.header_index == 3
    assert match.header_row_number == 4
    assert match.columns == {"name": 1, "credit_code": 2, "employees": 3}
    assert match.headers == {"name": "企业名称", "credit_code": "信用代码*", "employees": "从业人数（人）"}
    assert match.unknown == []  # 序号 is ignored silently
    assert list(match.rows) == [DataRow(5, [1, "某某公司", "91350100M000100Y43", 12])]


def test_it_reports_unknown_and_duplicate_headers_and_missing_columns():
    rows = [["单位名称", "统一社会信用代码", "备注", "企业名称", "党员人数"]]

    match = find_header(rows, [ORG_SPEC])

    assert match.unknown == [(2, "备注")]
    assert match.duplicates == [(3, "企业名称", "name")]
    assert match.columns["name"] == 0
    assert [c.key for c in match.missing] == [
        "employees",
        "probationary",
        "founded",
        "leader_name",
        "leader_phone",
    ]
    assert match.missing_required == []


def test_it_prefers_an_exact_header_over_one_that_only_matches_without_its_bracket():
    rows = [["单位名称", "统一社会信用代码", "党员人数（人）", "党员人数（预备）"]]

    match = find_header(rows, [ORG_SPEC])

    assert match.columns["members"] == 2
    assert match.columns["probationary"] == 3


def test_it_lets_a_plain_synonym_win_over_a_bracketed_one_whatever_the_column_order():
    spec = SheetSpec(
        "x",
        "X",
        [
            Column("probationary", "预备党员人数", ("党员人数（预备）",)),
            Column("members", "党员人数", required=True),
        ],
    )

    assert find_header([["党员人数（人）", "党员人数（预备）"]], [spec]).columns == {
        "members": 0,
        "probationary": 1,
    }


def test_it_refuses_a_spec_giving_the_same_header_to_two_columns():
    with pytest.raises(ValueError, match="given for both"):
        SheetSpec("x", "X", [Column("a", "名称", required=True), Column("b", "名 称")])


def test_it_picks_the_spec_matching_the_most_columns_when_several_signatures_fit():
    rows = [["党组织名称", "单位名称", "统一社会信用代码", "书记姓名", "党员人数", "成立日期"]]

    match = find_header(rows, [ORG_SPEC, PARTY_SPEC])

    assert match.spec is PARTY_SPEC
    assert match.columns["org_name"] == 1


def test_it_returns_none_when_no_row_in_the_scanned_rows_holds_a_signature():
    rows = [["标题"]] * 5 + [["单位名称", "统一社会信用代码"]]

    assert find_header(rows, [ORG_SPEC], scan_rows=5) is None
    assert find_header(rows, [ORG_SPEC], scan_rows=6).header_index == 5


def test_it_explains_in_chinese_which_headers_it_looked_for():
    message = header_not_found_message([ORG_SPEC, PARTY_SPEC])

    assert "在前 30 行中没有找到表头行" in message
    assert "两新组织名单需要同时包含“单位名称”、“统一社会信用代码”" in message
    assert "党组织名单需要同时包含“党组织名称”、“单位名称”" in message


def test_it_combines_a_merged_top_header_with_the_sub_headers_below():
    rows = [
        ["序号", "单位名称", "统一社会信用代码", "负责人", None, "党员人数"],
        [None, None, None, "姓名", "电话", None],
        [1, "某某公司", "91350100M000100Y43", "张三", "13800138000", 3],
    ]

    match = find_header(rows, [ORG_SPEC])

    assert match.header_height == 2
    assert match.header_row_number == 2
    assert match.columns == {
        "name": 1,
        "credit_code": 2,
        "leader_name": 3,
        "leader_phone": 4,
        "members": 5,
    }
    assert match.headers["leader_phone"] == "负责人/电话"
    assert [row.number for row in match.rows] == [3]


def test_it_does_not_prefix_a_sub_header_with_a_top_cell_merged_downwards():
    rows = [
        ["单位名称", None, "统一社会信用代码", "负责人", None],
        [None, "成立日期", None, "姓名", "电话"],
    ]

    match = find_header(rows, [ORG_SPEC])

    assert match.headers == {
        "name": "单位名称",
        "founded": "成立日期",
        "credit_code": "统一社会信用代码",
        "leader_name": "负责人/姓名",
        "leader_phone": "负责人/电话",
    }


def test_it_keeps_the_leftmost_column_when_two_headers_mean_the_same():
    match = find_header([["单位名称", "统一社会信用代码", "联系电话", "负责人电话"]], [ORG_SPEC])

    assert match.columns["leader_phone"] == 2
    assert match.duplicates == [(3, "负责人电话", "leader_phone")]


def test_it_does_not_read_the_first_data_row_as_sub_headers():
    rows = [["单位名称", "统一社会信用代码", "负责人"], ["某某公司", "91350100M000100Y43", "张三"]]

    match = find_header(rows, [ORG_SPEC])

    assert match.header_height == 1
    assert [row.number for row in match.rows] == [2]


def test_it_loses_no_rows_while_scanning_and_numbers_them_like_the_spreadsheet():
    rows = iter([["标题"], ["单位名称", "统一社会信用代码"], *[[f"公司{i}", str(i)] for i in range(100)]])

    match = find_header(rows, [ORG_SPEC], scan_rows=30)
    data = list(match.rows)

    assert len(data) == 100
    assert data[0] == DataRow(3, ["公司0", "0"])
    assert data[-1] == DataRow(102, ["公司99", "99"])


def test_it_can_start_numbering_from_another_row():
    match = find_header([["单位名称", "统一社会信用代码"], ["a", "b"]], [ORG_SPEC], first_row_number=10)

    assert next(match.rows).number == 11


def test_it_picks_values_by_key_even_from_short_rows():
    match = find_header([["单位名称", "备注", "统一社会信用代码"]], [ORG_SPEC])

    assert match.pick(["某某公司", "x"]) == {"name": "某某公司", "credit_code": None}
    assert match.column_ref("credit_code") == "C"


def test_it_requires_a_usable_signature_on_specs():
    with pytest.raises(ValueError, match="signature"):
        SheetSpec("x", "X", [Column("a", "A")])
    with pytest.raises(ValueError, match="not among columns"):
        SheetSpec("x", "X", [Column("a", "A")], signature=("b",))
    assert SheetSpec("x", "X", [Column("a", "A", required=True)]).signature == ("a",)


# ---------------------------------------------------------------------------- row classification


@pytest.mark.parametrize(
    ("cells", "kind"),
    [
        ([None, "", "  ", "\u3000"], "blank"),
        ([], "blank"),
        (["合计", None, 120], "total"),
        ([None, "总 计", 120], "total"),
        (["", "小计：", 3], "total"),
        (["合计（户）", 12], "total"),
        (["填表说明：1.单位名称填写全称"], "note"),
        (["说明：本表由各县区填报"], "note"),
        (["注：带*为必填项"], "note"),
        (["注1：从业人数含劳务派遣"], "note"),
        (["填表人：张三", None, "联系电话：0796-8221234"], "note"),
        (["序号", "单位名称", "统一社会信用代码"], "header"),
        ([1, "合计科技有限公司", "91350100M000100Y43"], None),
        ([1, "某某公司", "说明：无"], None),
        ([2, "注册地在吉州区的公司"], None),
    ],
)
def test_it_classifies_rows_that_are_not_data(cells, kind):
    header = ["序号", "单位名称", "统一社会信用代码"]

    assert classify_row(cells, header=header) == kind
    assert is_skippable_row(cells, header=header) is (kind is not None)


def test_it_skips_non_data_rows_when_iterating_data_rows():
    rows = [
        ["单位名称", "统一社会信用代码", "党员人数"],
        ["1", "2", "3"],  # 栏次 row
        ["甲公司", "A", 1],
        [None, None, None],
        ["单位名称", "统一社会信用代码", "党员人数"],  # header repeated on a new page
        ["乙公司", "B", 2],
        ["合计", None, 3],
        ["填表说明："],
        ["1. 单位名称填写营业执照上的全称"],
        ["2. 党员人数含预备党员"],
    ]

    match = find_header(rows, [ORG_SPEC])

    assert [(row.number, row.cells[0]) for row in match.data_rows()] == [(3, "甲公司"), (6, "乙公司")]


def test_it_keeps_a_first_data_row_that_merely_starts_with_small_numbers():
    rows = [["序号", "单位名称", "统一社会信用代码"], [1, "甲公司", "A"]]

    match = find_header(rows, [ORG_SPEC])

    assert [row.number for row in match.data_rows()] == [2]


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]
)
def test_it_turns_column_indexes_into_letters(index, letter):
    assert column_letter(index) == letter


# ---------------------------------------------------------------------------- end to end with a real file


def test_it_reads_a_messy_government_workbook_end_to_end(tmp_path):
    path = tmp_path / "名单.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("企业")
    date_format = book.add_format({"num_format": "yyyy年m月d日"})
    sheet.merge_range("A1:F1", "吉安市非公企业党建工作情况统计表")
    sheet.write_row("A2", ["填报单位：吉州区", None, None, None, "填报日期：2024-05-01"])
    sheet.write_row("A3", ["序号", "单位名称", "统一社会信用代码", "成立日期", "从业人数\n（人）", "负责人"])
    sheet.merge_range("F3:G3", "负责人")
    sheet.write_row("A4", [None, None, None, None, None, "姓名", "联系电话"])
    sheet.write_row(
        "A5",
        [
            1,
            "吉安市某某科技有限公司",
            "９１３５０１００Ｍ０００１００Ｙ４３ ",
            None,
            "1,210",
            "张三",
            "13800138000",
        ],
    )
    sheet.write_datetime("D5", datetime.datetime(2019, 3, 5), date_format)
    sheet.write_row("A6", [2, "吉安市某某商贸有限公司", "914403001922038216", "2019/3/5", 12.0, "李四", None])
    sheet.write_row("A7", [3, "某某律师事务所", "9144030071526726XH", "2019年13月5日", "十二", None, None])
    sheet.write_row("A8", [None, "合计", None, None, 1234])
    sheet.write("A10", "填表说明：成立日期填写营业执照上的日期")
    book.close()

    with check_and_read(path, "名单.xlsx") as workbook:
        match = find_header(workbook.sheets[0].rows, [ORG_SPEC, PARTY_SPEC])
        assert match.header_row_number == 4
        assert match.headers["leader_phone"] == "负责人/联系电话"
        errors, parsed = [], []
        for row in match.data_rows():
            values = match.pick(row.cells)
            code = normalize_credit_code(values["credit_code"])
            if problem := credit_code_problem(code):
                errors.append(f"第 {row.number} 行“{match.headers['credit_code']}”列：{problem}")
            for key, parse in (("founded", parse_date), ("employees", parse_int)):
                try:
                    values[key] = parse(values[key])
                except ValueProblem as exc:
                    errors.append(f"第 {row.number} 行“{match.headers[key]}”列：{exc.message}")
            parsed.append((row.number, code, values["founded"], values["employees"]))

    assert parsed[:2] == [
        (5, "91350100M000100Y43", datetime.date(2019, 3, 5), 1210),
        (6, "914403001922038216", datetime.date(2019, 3, 5), 12),
    ]
    assert len(parsed) == 3
    assert errors == [
        "第 7 行“统一社会信用代码”列："
        "统一社会信用代码“9144030071526726XH”校验位错误：最后一位应为“G”，实际为“H”，请核对",
        "第 7 行“成立日期”列：日期“2019年13月5日”不存在（2019年没有13月5日），请核对",
        "第 7 行“从业人数（人）”列：“十二”请用阿拉伯数字填写，如 12",
    ]
