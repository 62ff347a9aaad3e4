import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from liangxin.core.importing import ImportContext, ImportFailed, run_import
from liangxin.core.models import AuditLog, ImportBatch
from liangxin.registry.models import FollowUp, Organization
from tests.factories import make_user
from tests.registry.factories import credit_code, make_org, write_workbook

GOOD = credit_code(serial=101)
SOCIAL = credit_code(prefix="52", serial=102)
BAD_CHECK = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")


def to_full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in text)


def messy_rows():
    header = [
        "序号",
        "企业名称",
        "社会信用代码",
        "所在地区",
        "行业",
        "成立时间",
        "经营状态",
        "职工人数（人）",
        "党员数",
        "预备党员数",
        "是否规上企业",
        "标签",
        "主管单位",
    ]
    return [
        ["吉州区两新组织台账（2022年5月）"],  # row 1
        [None],  # row 2
        header,  # row 3
        [
            1,
            "吉安市庐陵科技有限公司",
            to_full_width(GOOD).lower(),
            "古南街道",
            "C39",
            "2019/3/5",
            "存续",
            "1,210",
            "12人",
            1,
            "√",
            "专精特新“小巨人”、产业链头部企业",
            "工信局",
        ],  # row 4 ok
        [2, "校验位错误公司", BAD_CHECK, "吉州区", "C", "2020-01-01", "在业", 5, 0, 0, "否", None, None],  # 5
        [3, "重复公司", GOOD, "吉州区", "C", "2020-01-01", "在业", 5, 0, 0, "否", None, None],  # row 6
        [
            4,
            None,
            credit_code(serial=103),
            "吉州区",
            "C",
            "2020-01-01",
            "在业",
            5,
            0,
            0,
            "否",
            None,
            None,
        ],  # 7
        [
            5,
            "负数公司",
            credit_code(serial=104),
            "吉州区",
            "C",
            "2020-01-01",
            "在业",
            5,
            -2,
            0,
            "否",
            None,
            None,
        ],
        [
            6,
            "火星公司",
            credit_code(serial=105),
            "火星镇",
            "C",
            "2020-01-01",
            "在业",
            5,
            0,
            0,
            "否",
            None,
            None,
        ],
        [
            7,
            "个体户",
            credit_code(prefix="92", serial=106),
            "吉州区",
            "F",
            None,
            "存续",
            2,
            0,
            0,
            "否",
            None,
            None,
        ],
        [
            8,
            "吉州区律师协会",
            SOCIAL,
            "吉州区古南街道",
            "社会保障",
            "2019年3月5日",
            "存续",
            30,
            3,
            0,
            "否",
            "行业协会商会",
            "民政局",
        ],  # row 11 ok
        ["合计", None, None, None, None, None, None, 1245, 15, 1],  # row 12
        [None],
        ["填表说明：1. 信用代码填写18位"],
    ]


@pytest.fixture
def messy(tmp_path, city):
    return write_workbook(tmp_path / "吉州区台账.xlsx", messy_rows())


def run(path, **kwargs):
    return run_import(
        path, ImportContext(actor=None, filename=str(path).rsplit("/", 1)[-1], source="command", **kwargs)
    )


def test_it_accepts_exactly_the_valid_rows_of_a_messy_workbook(messy):
    report = run(messy)
    sheet = report.sheets[0]
    assert (sheet.type, sheet.created, sheet.updated, sheet.rejected) == ("organizations", 2, 0, 6)
    assert sorted(Organization.objects.values_list("credit_code", flat=True)) == sorted([GOOD, SOCIAL])

    org = Organization.objects.get(credit_code=GOOD)
    assert org.name == "吉安市庐陵科技有限公司"
    assert (org.kind, org.township_code, org.county_code) == ("enterprise", "360802001", "360802")
    assert (org.industry_id, org.industry_section, org.founded_on) == ("39", "C", datetime.date(2019, 3, 5))
    assert (org.employees, org.party_members, org.probationary_members, org.above_scale) == (
        1210,
        12,
        1,
        True,
    )
    assert sorted(org.tags.values_list("name", flat=True)) == ["专精特新“小巨人”", "产业链头部企业"]
    assert org.supervising_unit.name == "工信局"
    social = Organization.objects.get(credit_code=SOCIAL)
    assert (social.kind, social.industry_section, social.township_code) == ("social", "S", "360802001")

    by_row = {}
    for problem in sheet.errors:
        by_row.setdefault(problem.row, []).append(problem)
    assert sorted(by_row) == [5, 6, 7, 8, 9, 10]
    assert by_row[5][0].column == "社会信用代码" and "校验位错误" in by_row[5][0].message
    assert "与第 4 行的统一社会信用代码重复" in by_row[6][0].message
    assert by_row[7][0].column == "企业名称" and "不能为空" in by_row[7][0].message
    assert by_row[8][0].column == "党员数" and "负数" in by_row[8][0].message
    assert by_row[9][0].column == "所在地区" and "火星镇" in by_row[9][0].message
    assert "个体工商户" in by_row[10][0].message


def test_a_second_run_of_the_same_file_changes_nothing(messy):
    run(messy)
    audit_rows = AuditLog.objects.count()
    sheet = run(messy).sheets[0]
    assert (sheet.created, sheet.updated, sheet.unchanged, sheet.rejected) == (0, 0, 2, 6)
    # Only the second batch's own record is new in the audit log.
    assert AuditLog.objects.count() == audit_rows + 1


def test_a_changed_value_updates_the_row_and_records_before_and_after(messy, tmp_path):
    run(messy)
    rows = messy_rows()
    rows[3][8] = 15  # 党员数 12 → 15
    changed = write_workbook(tmp_path / "第二版.xlsx", rows)
    sheet = run(changed).sheets[0]
    assert (sheet.created, sheet.updated, sheet.unchanged) == (0, 1, 1)
    org = Organization.objects.get(credit_code=GOOD)
    assert org.party_members == 15
    log = AuditLog.objects.get(action="registry.organization.updated")
    assert log.before == {"party_members": 12} and log.after == {"party_members": 15}
    assert log.source == "command" and log.source_detail == "第二版.xlsx"


def test_a_dry_run_reports_the_same_counts_and_writes_nothing(messy):
    sheet = run(messy, dry_run=True).sheets[0]
    assert (sheet.created, sheet.rejected) == (2, 6)
    assert not Organization.objects.exists() and not ImportBatch.objects.exists()


def test_strict_mode_writes_nothing_when_any_row_is_rejected(messy):
    report = run(messy, strict=True)
    assert report.rejected == 6 and not report.committed
    assert not Organization.objects.exists()


def test_the_rows_name_their_batch_and_lose_it_only_with_the_batch(messy):
    """`import_batch` has no database constraint (its check cost every imported row a query):
    the import guarantees it, and deleting a batch (through Django) clears it."""
    report = run(messy)
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert set(Organization.objects.values_list("import_batch_id", flat=True)) == {batch.pk}

    batch.delete()
    assert set(Organization.objects.values_list("import_batch_id", flat=True)) == {None}
    assert Organization.objects.count() == 2


@pytest.mark.parametrize(
    ("now", "today", "due"),
    [
        ("2024-05-31 23:30 +0800", datetime.date(2024, 5, 31), datetime.date(2024, 6, 30)),
        # 00:30 in Beijing is still the day before in UTC: the local date counts.
        ("2024-06-01 00:30 +0800", datetime.date(2024, 6, 1), datetime.date(2024, 7, 1)),
    ],
)
def test_new_in_scope_organizations_open_a_follow_up_due_in_30_days(messy, now, today, due):
    with time_machine.travel(now, tick=False):
        run(messy)
    followup = FollowUp.objects.get(organization__credit_code=GOOD)
    assert followup.kind == "new" and followup.status == "open"
    assert timezone.localdate(followup.opened_at) == today
    assert followup.due_on == due


def test_each_new_follow_up_goes_to_its_gatekeeping_unit_and_is_announced_once(
    messy, django_capture_on_commit_callbacks
):
    from liangxin.core.events import event_happened

    earlier = make_org("吉安市早先登记有限公司", code=credit_code(serial=909))
    waiting = FollowUp.objects.create(organization=earlier, kind="new", due_on=datetime.date(2024, 1, 1))
    announced = []

    def listen(sender, name, payloads, **kwargs):
        announced.extend((name, p["organization"]["credit_code"], p["unit"]) for p in payloads())

    event_happened.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run(messy)
    finally:
        event_happened.disconnect(listen)
    units = dict(FollowUp.objects.filter(kind="new").values_list("organization__credit_code", "unit__name"))
    assert units == {GOOD: "市场监管局", SOCIAL: "民政局", earlier.credit_code: "市场监管局"}
    # the import's two, and the one opened earlier without a unit, routed now
    assert sorted(announced) == sorted(("followup.opened", code, unit) for code, unit in units.items())
    waiting.refresh_from_db()
    assert waiting.unit.name == "市场监管局"


def test_a_deregistration_opens_a_follow_up_to_settle_the_party_organization(messy, tmp_path):
    run(messy)
    rows = messy_rows()
    rows[3][6] = "注销"
    run(write_workbook(tmp_path / "注销.xlsx", rows))
    assert FollowUp.objects.filter(organization__credit_code=GOOD, kind="closed", status="open").count() == 1


def test_the_region_falls_back_to_the_division_in_the_credit_code(tmp_path, city):
    code = credit_code(division="360826", serial=201)
    path = write_workbook(tmp_path / "a.xlsx", [["统一社会信用代码", "组织名称"], [code, "泰和某公司"]])
    assert run(path).sheets[0].created == 1
    assert Organization.objects.get(credit_code=code).region.name == "泰和县"


def test_a_code_from_outside_the_city_without_a_region_is_rejected(tmp_path, city):
    code = credit_code(division="440300", serial=202)
    path = write_workbook(tmp_path / "a.xlsx", [["统一社会信用代码", "组织名称"], [code, "深圳某公司"]])
    problem = run(path).sheets[0].errors[0]
    assert problem.row == 2 and "440300" in problem.message and "不在吉安市" in problem.message


def test_a_csv_in_gbk_imports_the_same_way(tmp_path, city):
    code = credit_code(serial=203)
    path = tmp_path / "民政.csv"
    path.write_bytes(
        f"组织名称,统一社会信用代码,区县,乡镇（街道）,成立日期\n吉州区某商会,{code},吉州区,古南街道,20190305\n".encode(
            "gbk"
        )
    )
    assert run(path).sheets[0].created == 1
    assert Organization.objects.get(credit_code=code).founded_on == datetime.date(2019, 3, 5)


def test_a_county_user_cannot_import_into_another_county(tmp_path, city):
    user = make_user("jz", role="county", region="360802")
    path = write_workbook(
        tmp_path / "a.xlsx",
        [
            ["统一社会信用代码", "组织名称", "区县"],
            [credit_code(serial=204), "吉州某公司", "吉州区"],
            [credit_code(serial=205), "泰和某公司", "泰和县"],
        ],
    )
    sheet = run_import(path, ImportContext(actor=user, filename="a.xlsx")).sheets[0]
    assert (sheet.created, sheet.rejected) == (1, 1)
    assert "不在您的管辖范围内" in sheet.errors[0].message and sheet.errors[0].row == 3


def test_an_unrecognized_sheet_fails_with_the_expected_headers(tmp_path, city):
    path = write_workbook(tmp_path / "a.xlsx", [["名字", "电话"], ["张三", "13800000000"]])
    with pytest.raises(ImportFailed, match="统一社会信用代码"):
        run(path)


def test_the_command_prints_json_and_writes_the_rejected_rows_workbook(messy, tmp_path, capsys):
    errors = tmp_path / "errors.xlsx"
    call_command("import_data", messy, "--json", "--errors", str(errors))
    data = json.loads(capsys.readouterr().out)
    sheet = data["sheets"][0]
    assert {k: sheet[k] for k in ("type", "created", "updated", "unchanged", "rejected")} == {
        "type": "organizations",
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 6,
    }
    assert {"row": 5, "column": "社会信用代码"}.items() <= sheet["errors"][0].items()
    rows = list(load_workbook(errors).active.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == "错误原因"
    assert [r[0] for r in rows[1:]] == [5, 6, 7, 8, 9, 10]
    assert "校验位错误" in rows[1][-1]


def test_the_command_refuses_an_unreadable_file_with_a_chinese_message(tmp_path, city):
    from django.core.management import CommandError

    fake = tmp_path / "台账.xlsx"
    fake.write_text("<html><body>not a workbook</body></html>")
    with pytest.raises(CommandError, match="实际是"):
        call_command("import_data", str(fake))


def test_existing_rows_are_updated_only_in_the_columns_the_file_has(tmp_path, city):
    org = make_org("老名字", code=credit_code(serial=206), address="井冈山大道1号", party_members=4)
    path = write_workbook(
        tmp_path / "a.xlsx", [["统一社会信用代码", "组织名称"], [org.credit_code, "新名字"]]
    )
    assert run(path).sheets[0].updated == 1
    org.refresh_from_db()
    assert (org.name, org.address, org.party_members) == ("新名字", "井冈山大道1号", 4)


def test_a_formula_in_a_rejected_row_stays_text_in_the_error_workbook(tmp_path, city):
    from liangxin.core.exporting import write_rejected_rows

    path = write_workbook(tmp_path / "a.xlsx", [["统一社会信用代码", "组织名称"], ["bad", '=HYPERLINK("x")']])
    report = run(path)
    buffer = io.BytesIO()
    write_rejected_rows(buffer, report)
    buffer.seek(0)
    cell = load_workbook(buffer).active.cell(row=2, column=3)
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_a_re_import_after_a_form_edit_is_not_mistaken_for_unchanged(messy, client):
    from django.urls import reverse

    run(messy)
    org = Organization.objects.get(credit_code=GOOD)
    office = make_user("office9", role="office")
    client.force_login(office)
    client.post(
        reverse("registry:organization_edit", args=[org.pk]),
        {
            "name": org.name,
            "region": "360802001",
            "status": "存续",
            "industry": "C39",
            "party_members": "30",
            "employees": "1210",
            "probationary_members": "1",
            "above_scale": "on",
            "tags": "专精特新“小巨人”、产业链头部企业",
            "supervising_unit": "工信局",
            "founded_on": "2019-03-05",
        },
    )
    assert Organization.objects.get(pk=org.pk).party_members == 30
    sheet = run(messy).sheets[0]
    assert (sheet.updated, sheet.unchanged) == (1, 1)
    assert Organization.objects.get(pk=org.pk).party_members == 12


def test_the_same_values_written_differently_are_unchanged(messy, tmp_path):
    run(messy)
    rows = messy_rows()
    rows[3][5] = "2019-03-05"  # was 2019/3/5
    sheet = run(write_workbook(tmp_path / "同值.xlsx", rows)).sheets[0]
    assert (sheet.created, sheet.updated, sheet.unchanged) == (0, 0, 2)


def test_a_bad_value_repeated_on_many_rows_is_reported_on_each_row(tmp_path, city):
    rows = [["统一社会信用代码", "组织名称", "乡镇（街道）"]]
    rows += [[credit_code(serial=300 + i), f"火星{i}号公司", "火星镇"] for i in range(3)]
    sheet = run(write_workbook(tmp_path / "a.xlsx", rows)).sheets[0]
    assert sheet.rejected == 3
    assert [p.row for p in sheet.errors] == [2, 3, 4]
    assert all("火星镇" in p.message for p in sheet.errors)


def test_short_rows_and_cells_escaped_by_an_export_read_as_written(tmp_path, city):
    """A CSV row may stop before the last columns (empty to the end), and a cell our export
    escaped ('=…) reads as the value it stands for, whatever the other cells of its column."""
    first, second = credit_code(serial=301), credit_code(serial=302)
    path = tmp_path / "短行.csv"
    path.write_text(
        "统一社会信用代码,组织名称,乡镇（街道）,联系人,地址\n"
        f"{first},'=吉安市等号科技有限公司,古南街道,'-张先生\n"  # no 地址 cell at all
        f"{second},吉安市平常科技有限公司,古南街道,,吉安市某路2号\n",
        encoding="utf-8",
    )
    sheet = run(str(path)).sheets[0]
    assert (sheet.created, sheet.rejected) == (2, 0)
    rows = dict(Organization.objects.values_list("credit_code", "name"))
    assert rows == {first: "=吉安市等号科技有限公司", second: "吉安市平常科技有限公司"}
    one = Organization.objects.get(credit_code=first)
    assert (one.contact, one.address) == ("-张先生", "")
    assert Organization.objects.get(credit_code=second).address == "吉安市某路2号"
