"""统一社会信用代码 and 身份证号 checks (liangxin.core.tabular.codes)."""

import datetime
import random

import pytest

from liangxin.core.tabular.codes import (
    CREDIT_CODE_ALPHABET,
    KIND_LABELS,
    compute_check_char,
    credit_code_category_label,
    credit_code_division,
    credit_code_kind,
    credit_code_problem,
    id_card_check_char,
    id_card_problem,
    is_valid_credit_code,
    mask_id_card,
    mask_phone,
    normalize_credit_code,
    normalize_id_card,
)

VALID_CODES = ["91350100M000100Y43", "914403001922038216", "9144030071526726XG"]


# ---------------------------------------------------------------------------- credit codes


@pytest.mark.parametrize("code", VALID_CODES)
def test_it_accepts_the_known_valid_credit_codes(code):
    assert credit_code_problem(code) is None
    assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 91350100M000100Y43 ", "91350100M000100Y43"),
        ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),
        ("9135 0100 M000 100Y 43", "91350100M000100Y43"),
        ("\u30009135\u30000100m000100y43\n", "91350100M000100Y43"),
        ("'914403001922038216", "914403001922038216"),
        ('="914403001922038216"', "914403001922038216"),
        (None, ""),
    ],
)
def test_it_normalizes_credit_codes_before_checking(raw, expected):
    assert normalize_credit_code(raw) == expected
    if expected:
        assert credit_code_problem(raw) is None


def test_it_says_how_long_a_credit_code_should_be_and_is():
    assert (
        credit_code_problem("91350100M000100Y4") == "统一社会信用代码“91350100M000100Y4”应为18位，实际为17位"
    )
    assert (
        credit_code_problem("91350100M000100Y433")
        == "统一社会信用代码“91350100M000100Y433”应为18位，实际为19位"
    )


def test_it_says_a_credit_code_is_missing():
    assert credit_code_problem("  ") == "未填写统一社会信用代码"


def test_it_names_characters_not_allowed_in_a_credit_code_with_a_hint_for_look_alikes():
    message = credit_code_problem("91350100M000I00Y43")

    assert "含有不允许的字符“I”" in message
    assert "“I”是否应为“1”" in message
    assert "不使用字母 I、O、S、V、Z" in message
    assert "含有不允许的字符“O”" in credit_code_problem("9135010OM000100Y43")
    assert "含有不允许的字符“中”" in credit_code_problem("91350100M000100中43")


def test_it_names_the_expected_and_actual_check_character():
    message = credit_code_problem("91350100M000100Y44")

    assert message == "统一社会信用代码“91350100M000100Y44”校验位错误：最后一位应为“3”，实际为“4”，请核对"


def test_it_gives_three_different_messages_for_length_character_and_check_errors():
    messages = {
        credit_code_problem("9135"),
        credit_code_problem("91350100M000I00Y43"),
        credit_code_problem("91350100M000100Y44"),
    }

    assert len(messages) == 3


def test_it_says_when_excel_stored_a_code_as_a_number_and_lost_digits():
    assert credit_code_problem(914403001922038216.0) == (
        "统一社会信用代码被存成了数字，末尾几位可能已丢失，请把该列设为“文本”格式后重新填写"
    )
    assert credit_code_problem("9.14403E+17") == (
        "统一社会信用代码显示为科学计数法“9.14403E+17”，末尾几位可能已丢失，请把该列设为“文本”格式后重新填写"
    )
    assert id_card_problem(1.10105194912310e17).startswith("身份证号被存成了数字")


@pytest.mark.parametrize("code", VALID_CODES)
def test_it_computes_the_check_character_of_valid_codes(code):
    assert compute_check_char(code[:17]) == code[17]


def test_it_generates_valid_codes_from_any_seventeen_characters():
    rng = random.Random(1)
    for _ in range(200):
        first17 = "91" + "360802" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
        assert credit_code_problem(first17 + compute_check_char(first17)) is None


def test_it_refuses_to_compute_a_check_character_from_bad_input():
    with pytest.raises(ValueError, match="17 characters"):
        compute_check_char("9135")
    with pytest.raises(ValueError, match="17 characters"):
        compute_check_char("91350100M000I00Y4")


@pytest.mark.parametrize(
    ("prefix", "kind", "category"),
    [
        ("91", "enterprise", "企业"),
        ("92", "individual", "个体工商户"),
        ("93", "coop", "农民专业合作社"),
        ("51", "social", "社会团体"),
        ("52", "social", "民办非企业单位（社会服务机构）"),
        ("53", "social", "基金会"),
        ("59", "social", "其他社会组织"),
        ("31", "social", "律师事务所"),
        ("11", None, None),
        ("12", None, None),
    ],
)
def test_it_tells_the_kind_of_organization_from_the_first_two_characters(prefix, kind, category):
    first17 = prefix + "3608027" + "0000000A"
    code = first17 + compute_check_char(first17)

    assert credit_code_kind(code) == kind
    assert credit_code_kind(code.lower()) == kind
    assert credit_code_category_label(code) == category


def test_it_has_chinese_labels_for_every_kind():
    assert KIND_LABELS == {
        "enterprise": "非公企业",
        "individual": "个体工商户",
        "coop": "农民专业合作社",
        "social": "社会组织",
    }


def test_it_reads_the_administrative_division_from_positions_3_to_8():
    assert credit_code_division("91350100M000100Y43") == "350100"
    assert credit_code_division(" 914403001922038216") == "440300"


# ---------------------------------------------------------------------------- 身份证号


def make_id(first17):
    return first17 + id_card_check_char(first17)


def test_it_accepts_a_valid_id_card_number_including_a_final_x():
    assert id_card_problem("11010519491231002X") is None
    assert id_card_problem("11010519491231002x") is None
    assert id_card_problem(" １１０１０５１９４９１２３１００２Ｘ ") is None
    assert id_card_problem(make_id("36080219900307123")) is None


def test_it_explains_id_card_numbers_it_cannot_use_without_repeating_them():
    today = datetime.date(2024, 5, 1)
    cases = {
        "": "未填写身份证号",
        "110105491231002": "这是15位旧身份证号，请填写18位身份证号",
        "1101051949123100": "身份证号应为18位，实际为16位",
        "11010519491231002Y": "身份证号格式错误：前17位应为数字，最后一位为数字或 X",
        "1101051949123100X2": "身份证号格式错误：前17位应为数字，最后一位为数字或 X",
        make_id("11010519490230002"): "身份证号中的出生日期“19490230”不存在，请核对",
        make_id("11010518800101002"): "身份证号中的出生日期“18800101”不合理，请核对",
        make_id("11010520300101002"): "身份证号中的出生日期“20300101”不合理，请核对",
        "110105194912310021": "身份证号校验位错误（最后一位不对），请核对",
    }
    for number, expected in cases.items():
        message = id_card_problem(number, today=today)
        assert message == expected, number
        assert not number or number not in message


def test_it_normalizes_id_card_numbers():
    assert normalize_id_card(" 11010519491231002x\u3000") == "11010519491231002X"


def test_it_masks_id_card_numbers_hiding_the_birth_date():
    assert mask_id_card("11010519491231002X") == "110105********002X"
    assert mask_id_card("110105491231002") == "110105*****1002"
    assert mask_id_card("1234") == "****"
    assert mask_id_card(None) == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        (13812345678, "138****5678"),
        ("0796-8221234", "0796-***1234"),
        ("010-62345678", "010-****5678"),
        ("", ""),
    ],
)
def test_it_masks_phone_numbers(raw, expected):
    assert mask_phone(raw) == expected


def test_a_column_of_clean_valid_codes_is_taken_as_it_is_and_any_other_sends_it_back():
    from liangxin.core.tabular import clean_credit_codes, compute_check_char

    codes = [body + compute_check_char(body) for body in ("91360802MA1234567", "52360800MJ0000001")]
    assert clean_credit_codes(codes) == codes
    wrong_check = codes[0][:17] + ("0" if codes[0][17] != "0" else "1")
    for odd in [
        wrong_check,
        codes[0].lower(),
        " " + codes[0],
        codes[0][:17],
        "91360802MA123456IO",
        "9" * 18,
        None,
    ]:
        assert clean_credit_codes([*codes, odd]) is None, odd
