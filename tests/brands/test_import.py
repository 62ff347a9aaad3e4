"""The 品牌/示范点 sheet: a unit's 品牌申报表 imported through the page's rules (the campaign's
units, the user's scope, 已命名 needs its date), row- and column-numbered Chinese messages, a
template that re-imports cleanly, and the same file again changing nothing."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from liangxin.brands.models import Brand, Stage
from liangxin.core.models import AuditLog
from tests.factories import fill_template, make_user
from tests.registry.factories import make_org, write_workbook

pytestmark = pytest.mark.django_db
D = datetime.date
HEADER = [
    "申报年度",
    "品牌名称",
    "类别",
    "申报单位",
    "所属组织统一社会信用代码",
    "所在区域",
    "创建阶段",
    "命名日期",
]


def import_json(path, *args) -> dict:
    out = io.StringIO()
    with time_machine.travel("2022-06-20 10:00 +0800", tick=False):
        call_command("import_data", str(path), "--json", *args, stdout=out)
    return {s["type"]: s for s in json.loads(out.getvalue())["sheets"]}


def messages(sheet) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in sheet["errors"]]


def test_a_filled_template_imports_cleanly_and_again_changes_nothing(campaign, office, client_for, tmp_path):
    org = make_org("吉州养老服务中心", kind="social", region="360802001")
    response = client_for(office).get(reverse("brands:import_template"))
    rows = [
        {"品牌名称": "红色社工站", "类别": "一域一品", "申报单位": "市民政局", "所在区域": "古南街道",
         "创建阶段": "已命名", "命名日期": "2022-06-01", "品牌简介": "社工站里建支部"},
        {"品牌名称": "养老服务“红色管家”", "类别": "一企一品", "申报单位": "民政局",
         "所属组织统一社会信用代码": org.credit_code, "创建阶段": "创建中"},
    ]  # fmt: skip
    path = fill_template(response, tmp_path / "品牌申报表.xlsx", rows)
    sheets = import_json(path)
    assert list(sheets) == ["brands"]
    sheet = sheets["brands"]
    assert (sheet["created"], sheet["rejected"], sheet["errors"], sheet["warnings"]) == (2, 0, [], [])
    named = Brand.objects.get(name="红色社工站")
    assert (named.unit.name, named.region.name, named.stage) == ("民政局", "古南街道", Stage.NAMED)
    assert list(named.revisits.values_list("months", "due_on")) == [(6, D(2022, 12, 1)), (12, D(2023, 6, 1))]
    assert Brand.objects.get(name__contains="红色管家").organization == org
    assert AuditLog.objects.filter(action="brands.brand.created").count() == 2
    again = import_json(path)["brands"]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_bad_rows_are_refused_naming_row_and_column_and_the_good_ones_imported(campaign, tmp_path):
    path = write_workbook(
        tmp_path / "品牌.xlsx",
        [
            HEADER,
            [2022, "红色社工站", "一域一品", "民政局", None, None, "创建中", None],
            [2022, "红色社工站", "一域一品", "民政局", None, None, "创建中", None],
            [2022, "清朗网络", "一域一品", "网信办", None, None, "计划", None],
            [2022, "法护民企", "一县一品", "司法局", None, None, "计划", None],
            [2022, "律师之家", "示范点", "司法局", None, None, "已命名", None],
            [2022, "无名单位品牌", "示范点", "不存在局", None, None, "计划", None],
            [2030, "明年品牌", "示范点", "司法局", None, None, "计划", None],
            [2022, "律所联盟", "示范点", "司法局", "91350100M000100Y43", "不存在镇", "计划", None],
        ],
    )
    sheet = import_json(path)["brands"]
    assert (sheet["created"], sheet["rejected"]) == (2, 6)
    found = messages(sheet)
    assert (3, "品牌名称", "与第 2 行是同一年度的同名品牌，本行未导入") in found
    assert (4, "申报单位", "“网信办”不是2022年品牌申报的应申报单位") in found
    assert (5, "类别", "无法识别的类别“一县一品”，应为一域一品、一企一品、示范点之一") in found
    assert (6, "命名日期", "创建阶段为“已命名”时，请填写命名日期") in found
    assert any(
        row == 7 and col == "申报单位" and "未找到成员单位“不存在局”" in msg for row, col, msg in found
    )
    assert (8, "申报年度", "2030年尚未开启品牌申报，请先由工委办公室开启") in found
    warned = {(w["row"], w["column"]) for w in sheet["warnings"]}
    assert {(9, "所属组织统一社会信用代码"), (9, "所在区域")} <= warned
    assert sorted(Brand.objects.values_list("name", flat=True)) == ["律所联盟", "红色社工站"]


def test_a_unit_imports_only_its_own_brands(campaign, tmp_path):
    make_user("minzheng", role="member_unit", member_unit="民政局")
    path = write_workbook(
        tmp_path / "品牌.xlsx",
        [
            HEADER,
            [2022, "红色社工站", "一域一品", "民政局", None, None, "创建中", None],
            [2022, "法护民企", "一域一品", "司法局", None, None, "创建中", None],
        ],
    )
    sheet = import_json(path, "--user", "minzheng")["brands"]
    assert (sheet["created"], sheet["rejected"]) == (1, 1)
    assert messages(sheet) == [(3, "申报单位", "不能代“司法局”登记品牌")]
    assert list(Brand.objects.values_list("name", flat=True)) == ["红色社工站"]


def test_the_import_page_and_the_campaign_page_offer_the_template(campaign, office, client_for):
    client = client_for(office)
    url = reverse("brands:import_template")
    assert url in client.get(reverse("data_import")).content.decode()
    assert url in client.get(reverse("brands:index")).content.decode()
