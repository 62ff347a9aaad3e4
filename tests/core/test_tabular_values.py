"""Cell value parsers (liangxin.core.tabular.values)."""

import datetime
from decimal import Decimal

import pytest

from liangxin.core.tabular.values import (
    ValueProblem,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_decimal_percent,
    parse_int,
    parse_list,
    parse_month,
    parse_phone,
    parse_text,
)

ALL_PARSERS = [
    parse_text,
    parse_date,
    parse_month,
    parse_int,
    parse_decimal,
    parse_decimal_percent,
    parse_bool,
    parse_list,
    parse_phone,
]


def problem(parser, value, **kwargs):
    with pytest.raises(ValueProblem) as info:
        parser(value, **kwargs)
    return info.value.message


@pytest.mark.parametrize("parser", ALL_PARSERS)
@pytest.mark.parametrize("empty", [None, "", "   ", "\u3000", "\n\t", "\u200b"])
def test_it_reads_empty_cells_as_none_in_every_parser(parser, empty):
    assert parser(empty) is None


# ---------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  某某公司 ", "某某公司"),
        ("\u3000某某\u3000\u3000公司\u3000", "某某 公司"),
        ("江西省吉安市\n井冈山大道1号", "江西省吉安市 井冈山大道1号"),
        ("ＡＢＣ科技１２３", "ABC科技123"),
        ("某某（深圳）有限公司", "某某（深圳）有限公司"),
        (12.0, "12"),
        (12, "12"),
        (3.5, "3.5"),
        (13800138000.0, "13800138000"),
        (True, "是"),
        (datetime.date(2019, 3, 5), "2019-03-05"),
        (datetime.datetime(2019, 3, 5), "2019-03-05"),
        (datetime.datetime(2019, 3, 5, 10, 30), "2019-03-05 10:30:00"),
    ],
)
def test_it_reads_text_trimming_spacing_and_folding_full_width_letters_and_digits(raw, expected):
    assert parse_text(raw) == expected


def test_it_applies_full_nfkc_to_text_only_when_asked():
    assert parse_text("某某（深圳）有限公司", nfkc=True) == "某某(深圳)有限公司"


# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "raw",
    [
        datetime.date(2019, 3, 5),
        datetime.datetime(2019, 3, 5, 10, 30),
        43529,
        43529.75,
        "2019-03-05",
        "2019-3-5",
        "2019/3/5",
        "2019/03/05 0:00:00",
        "2019-03-05T10:30",
        "2019.03.05",
        "2019年3月5日",
        "2019年03月05号",
        "20190305",
        20190305,
        20190305.0,
        "２０１９－０３－０５",
        "２０１９年３月５日",
        " 2019-03-05 ",
    ],
)
def test_it_reads_dates_in_the_usual_spellings(raw):
    assert parse_date(raw) == datetime.date(2019, 3, 5)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019-02-30", "日期“2019-02-30”不存在（2019年没有2月30日），请核对"),
        ("2019-13-45", "日期“2019-13-45”不存在（2019年没有13月45日），请核对"),
        ("2019年3月", "“2019年3月”缺少日，请填写完整日期，如 2019-03-05"),
        ("2019-03", "“2019-03”缺少日，请填写完整日期，如 2019-03-05"),
        ("2019", "“2019”只有年份，请填写完整日期，如 2019-03-05"),
        (2019, "“2019”只有年份，请填写完整日期，如 2019-03-05"),
        ("1800-01-01", "日期“1800-01-01”的年份不在 1900–2100 之间，请核对"),
        ("19-03-05", "无法识别的日期“19-03-05”，请填写如 2019-03-05 的日期"),
        ("去年三月", "无法识别的日期“去年三月”，请填写如 2019-03-05 的日期"),
        (True, "无法识别的日期“True”，请填写如 2019-03-05 的日期"),
        (-5, "无法识别的日期“-5”，请填写如 2019-03-05 的日期"),
        (datetime.time(10, 30), "无法识别的日期“10:30:00”，请填写如 2019-03-05 的日期"),
    ],
)
def test_it_explains_dates_it_cannot_use(raw, expected):
    assert problem(parse_date, raw) == expected


@pytest.mark.parametrize(
    "raw", ["2019年3月", "2019-03", "2019/3", "201903", "2019年3月5日", datetime.date(2019, 3, 5), 43529]
)
def test_it_reads_months_as_their_first_day(raw):
    assert parse_month(raw) == datetime.date(2019, 3, 1)


def test_it_explains_months_it_cannot_use():
    assert problem(parse_month, "2019-13") == "“2019-13”中的月份不存在，请填写如 2019-03 的年月"
    assert problem(parse_month, "三月") == "无法识别的年月“三月”，请填写如 2019-03 或 2019年3月 的年月"


# ---------------------------------------------------------------------------- integers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12, 12),
        (12.0, 12),
        ("12", 12),
        (" 12 ", 12),
        ("１２", 12),
        ("1,210", 1210),
        ("1，210", 1210),
        ("1,234,567", 1234567),
        ("12人", 12),
        ("12 人", 12),
        ("3个", 3),
        ("12.0", 12),
        ("+12", 12),
        (0, 0),
        ("0", 0),
    ],
)
def test_it_reads_whole_numbers_from_numbers_and_text(raw, expected):
    assert parse_int(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (-3, "“-3”不能为负数"),
        ("-3人", "“-3人”不能为负数"),
        (12.5, "“12.5”不是整数，请填写整数，如 12"),
        ("12.5", "“12.5”不是整数，请填写整数，如 12"),
        ("abc", "“abc”不是有效的数字，请填写整数，如 12"),
        ("1,2", "“1,2”不是有效的数字，请填写整数，如 12"),
        ("约12人", "“约12人”不是有效的数字，请填写整数，如 12"),
        ("1.2万", "“1.2万”中不要使用“万”“千”等单位，请填写完整的数字，如 12"),
        ("十二", "“十二”请用阿拉伯数字填写，如 12"),
        ("无", "“无”不是数字，请填写整数（没有请填 0）"),
        ("/", "“/”不是数字，请填写整数（没有请填 0）"),
        (True, "“True”不是数字，请填写整数，如 12"),
        (float("nan"), "“nan”不是有效的数字，请填写整数，如 12"),
    ],
)
def test_it_explains_numbers_it_cannot_use(raw, expected):
    assert problem(parse_int, raw) == expected


def test_it_checks_integer_bounds_given_by_the_caller():
    assert parse_int(-3, min_value=None) == -3
    assert problem(parse_int, 0, min_value=1) == "“0”不能小于 1"
    assert problem(parse_int, "101", max_value=100) == "“101”不能大于 100"


def test_it_reads_decimals_with_optional_rounding():
    assert parse_decimal("1,210.50元") == Decimal("1210.50")
    assert parse_decimal(3.14159, places=2) == Decimal("3.14")
    assert problem(parse_decimal, "-1") == "“-1”不能为负数"
    assert (
        problem(parse_decimal, "12.5万元") == "“12.5万元”中不要使用“万”“千”等单位，请填写完整的数字，如 12.5"
    )


# ---------------------------------------------------------------------------- percentages


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("80%", Decimal(80)),
        ("80", Decimal(80)),
        (80, Decimal(80)),
        (80.0, Decimal(80)),
        ("８０％", Decimal(80)),
        ("80.5%", Decimal("80.5")),
        ("0.8%", Decimal("0.8")),
        (0, Decimal(0)),
        (1, Decimal(1)),
        ("100%", Decimal(100)),
    ],
)
def test_it_reads_percentages_as_numbers_from_0_to_100(raw, expected):
    assert parse_decimal_percent(raw) == expected


def test_it_refuses_to_guess_what_a_fraction_like_0_8_means():
    assert problem(parse_decimal_percent, 0.8) == "“0.8”含义不明确：如表示 80%，请填写 80 或 80%"
    assert problem(parse_decimal_percent, "0.25") == "“0.25”含义不明确：如表示 25%，请填写 25 或 25%"


def test_it_reads_fractions_when_the_caller_knows_the_column_is_percent_formatted():
    assert parse_decimal_percent(0.8, fraction_numbers=True) == Decimal(80)
    assert parse_decimal_percent(1, fraction_numbers=True) == Decimal(100)
    assert parse_decimal_percent("80%", fraction_numbers=True) == Decimal(80)


@pytest.mark.parametrize("raw", ["120%", 101, "-5", "-5%"])
def test_it_refuses_percentages_outside_0_to_100(raw):
    assert "超出范围，请填写 0 到 100 之间的数字" in problem(parse_decimal_percent, raw)


def test_it_explains_a_percentage_that_is_not_a_number():
    assert (
        problem(parse_decimal_percent, "大部分")
        == "“大部分”不是有效的数字，请填写介于 0 到 100 之间的数字，如 80 或 80%"
    )


# ---------------------------------------------------------------------------- booleans


@pytest.mark.parametrize(
    "raw",
    ["是", "√", "✓", "✔", "Y", "y", "yes", "YES", "1", 1, 1.0, "true", "True", True, "有", " 是 ", "ｙ"],
)
def test_it_reads_yes_values(raw):
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "×", "✗", "N", "n", "no", "0", 0, "false", "False", False, "无", "X"])
def test_it_reads_no_values(raw):
    assert parse_bool(raw) is False


@pytest.mark.parametrize("raw", ["可能", "2", 2, "是否"])
def test_it_explains_yes_no_values_it_cannot_read(raw):
    assert problem(parse_bool, raw) == f"无法识别“{raw}”，请填写“是”或“否”"


# ---------------------------------------------------------------------------- lists


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三、李四", ["张三", "李四"]),
        ("张三，李四,王五", ["张三", "李四", "王五"]),
        ("张三；李四;王五", ["张三", "李四", "王五"]),
        ("张三\n李四\r\n王五", ["张三", "李四", "王五"]),
        (" 张三 、、 李四 、", ["张三", "李四"]),
        ("李四、张三、李四", ["李四", "张三"]),
        ("张三", ["张三"]),
        (12.0, ["12"]),
        ("、，；", None),
    ],
)
def test_it_splits_lists_on_chinese_and_latin_separators(raw, expected):
    assert parse_list(raw) == expected


# ---------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        (13800138000, "13800138000"),
        (13800138000.0, "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("0796-8221234", "0796-8221234"),
        ("07968221234", "0796-8221234"),
        ("(0796)8221234", "0796-8221234"),
        ("（0796）8221234", "0796-8221234"),
        ("0796－8221234", "0796-8221234"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("0796-8221234-801", "0796-8221234-801"),
        ("400-123-4567", "400-123-4567"),
        (7968221234, "0796-8221234"),  # a number cell dropped the leading 0
        (1062345678.0, "010-62345678"),
    ],
)
def test_it_reads_mobile_and_landline_numbers(raw, expected):
    assert parse_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8221234", "电话“8221234”缺少区号，请填写如 0796-8221234 的号码"),
        (
            "1380013800",
            "无法识别的电话号码“1380013800”，请填写 11 位手机号或带区号的固定电话，如 0796-8221234",
        ),
        ("12345", "无法识别的电话号码“12345”，请填写 11 位手机号或带区号的固定电话，如 0796-8221234"),
        ("张三", "无法识别的电话号码“张三”，请填写 11 位手机号或带区号的固定电话，如 0796-8221234"),
        ("13800138000、13900139000", "“13800138000、13900139000”中有多个号码，只能填写一个电话号码"),
        ("13800138000 13900139000", "“13800138000 13900139000”中有多个号码，只能填写一个电话号码"),
    ],
)
def test_it_explains_phone_numbers_it_cannot_use(raw, expected):
    assert problem(parse_phone, raw) == expected


class TestWholeColumns:
    """A clean column is parsed at once; anything the cell-by-cell parser would change or
    complain about sends the column back to it."""

    CLEAN = ["吉安市古南科技有限公司", "某某（深圳）有限公司", "A&B Co., Ltd.", "吉安市某路1号 3栋"]

    def test_a_clean_text_column_gives_what_parse_text_gives_each_cell(self):
        from liangxin.core.tabular import plain_text_column

        assert plain_text_column(self.CLEAN, 200) == [parse_text(v) for v in self.CLEAN]

    @pytest.mark.parametrize(
        "odd",
        ["", "  ", " 前后有空格 ", "两个  空格", "全角ＡＢＣ", "换行\n名称", "制表\t符", "零宽\u200b字符",
         "\u3000全角空格", 12, None, "长" * 201],
    )  # fmt: skip
    def test_any_cell_the_parser_would_change_or_refuse_sends_the_column_back(self, odd):
        from liangxin.core.tabular import plain_text_column

        assert plain_text_column([*self.CLEAN, odd], 200) is None

    def test_plain_mobiles_are_taken_as_they_are_and_anything_else_is_not(self):
        from liangxin.core.tabular import plain_mobiles

        mobiles = ["13800138000", "19912345678"]
        assert plain_mobiles(mobiles) == [parse_phone(v) for v in mobiles]
        for odd in [
            "12800138000",
            "138-0013-8000",
            "1380013800",
            "138****8000",
            "0796-8221234",
            "",
            13800138000,
        ]:
            assert plain_mobiles([*mobiles, odd]) is None, odd
