"""The inspections sheet: rows become inspections and their 整改; what decides a flag refuses the
row with row, column and reason; what decides nothing is a warning; a re-import changes nothing."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command

from liangxin.core.models import AuditLog
from liangxin.coverage import health
from liangxin.coverage.models import BranchInspection, Formation, PartyOrganization, Rectification
from tests.coverage.factories import make_org, make_party_org, write_workbook
from tests.factories import make_user

D = datetime.date
HEADER = ["党组织名称", "排查日期", "排查人", "评定等次", "三会一课", "存在问题", "整改措施", "整改时限"]
NOW = datetime.datetime(2022, 6, 1, 9, tzinfo=datetime.UTC)


@pytest.fixture
def branches(city):
    joint = make_party_org(
        "古南街道第1联合党支部", make_org("甲", members=1), formation=Formation.JOINT, secretary="张"
    )
    make_party_org(
        "青原区第1联合党支部", make_org("乙", region="360803001", members=1), formation=Formation.JOINT
    )
    make_party_org("丙公司党支部", make_org("丙", members=5))
    return joint


def run(tmp_path, rows, *extra, name="排查.xlsx"):
    path = write_workbook(
        tmp_path / name, {"排查记录": [["2022年第二季度联合党支部排查情况"], HEADER, *rows]}
    )
    out = io.StringIO()
    call_command("import_data", path, "--json", *extra, stdout=out)
    return json.loads(out.getvalue())["sheets"][0]


GOOD = [
    ["古南街道第1联合党支部", "2022-04-26", "王排查", "差", "否", "三会一课未开展", "督促开展，下月复查", "2022年5月15日"],
    ["古南街道第1联合党支部", "2022.03.10", "王排查", "较好", "是", None, None, None],
    ["青原区第1联合党支部", "2022/5/6", "李排查", "好", "已开展", None, None, None],
]  # fmt: skip


@pytest.fixture(autouse=True)
def june_first():
    with time_machine.travel(NOW):
        yield


@pytest.mark.django_db
class TestInspectionImport:
    def test_rows_become_inspections_and_rectifications_that_drive_the_health_list(self, tmp_path, branches):
        sheet = run(tmp_path, GOOD)
        assert sheet["type"] == "inspections"
        assert (sheet["created"], sheet["rejected"], sheet["errors"], sheet["warnings"]) == (3, 0, [], [])
        april = BranchInspection.objects.get(party_org=branches, inspected_on=D(2022, 4, 26))
        assert (april.rating, april.meetings_held, april.inspector, april.problems, april.actions) == (
            "poor", False, "王排查", "三会一课未开展", "督促开展，下月复查",
        )  # fmt: skip
        fix = Rectification.objects.get()
        assert (fix.party_org, fix.inspection, fix.due_on, fix.opened_on) == (
            branches, april, D(2022, 5, 15), D(2022, 4, 26),
        )  # fmt: skip
        rows = health.branches(PartyOrganization.objects.filter(pk=branches.pk), as_of=D(2022, 5, 31))
        codes = [h.code for h in health.hits(rows.get(), as_of=D(2022, 5, 31))]
        assert codes == ["poor_rating", "meetings_not_held", "rectification_overdue"]
        assert AuditLog.objects.filter(action="coverage.inspection.created").count() == 3
        assert AuditLog.objects.filter(action="coverage.rectification.opened").count() == 1

    def test_importing_the_same_file_again_changes_nothing(self, tmp_path, branches):
        run(tmp_path, GOOD)
        again = run(tmp_path, GOOD)
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
        assert BranchInspection.objects.count() == 3 and Rectification.objects.count() == 1

    def test_a_corrected_row_updates_the_inspection_and_its_rectification(self, tmp_path, branches):
        run(tmp_path, GOOD)
        fixed = [row[:] for row in GOOD]
        fixed[0][3], fixed[0][7] = "一般", "2022-06-30"
        again = run(tmp_path, fixed)
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 1, 2)
        assert BranchInspection.objects.get(inspected_on=D(2022, 4, 26)).rating == "average"
        assert Rectification.objects.get().due_on == D(2022, 6, 30)

    def test_what_decides_a_flag_refuses_the_row_naming_row_column_and_reason(self, tmp_path, branches):
        rows = [
            ["不存在的联合党支部", "2022-04-01", None, "好", "是", None, None, None],
            ["丙公司党支部", "2022-04-01", None, "好", "是", None, None, None],
            ["古南街道第1联合党支部", "2022-04-01", None, "优秀", "是", None, None, None],
            ["古南街道第1联合党支部", "2022-04-02", None, "好", "偶尔", None, None, None],
            ["古南街道第1联合党支部", "2022-07-01", None, "好", "是", None, None, None],
            ["古南街道第1联合党支部", "2019-12-31", None, "好", "是", None, None, None],
            ["古南街道第1联合党支部", "2022-04-03", None, "差", "否", "问题", "措施", "2022-04-01"],
            ["古南街道第1联合党支部", "四月", None, "好", "是", None, None, None],
            ["古南街道第1联合党支部", "2022-04-05", None, "好", "是", None, None, None],
            ["古南街道第1联合党支部", "2022-04-05", None, "好", "是", None, None, None],
            ["古南街道第1联合党支部", "2022-04-06", None, None, "是", None, None, None],
        ]
        sheet = run(tmp_path, rows)
        assert (sheet["created"], sheet["rejected"]) == (1, 10)
        errors = {(e["row"], e["column"]): e["message"] for e in sheet["errors"]}
        assert "不在系统中" in errors[(3, "党组织名称")]
        assert "不是联合党支部" in errors[(4, "党组织名称")]
        assert "应为好、较好、一般、差之一" in errors[(5, "评定等次")]
        assert "请填写“是”" in errors[(6, "三会一课")]
        assert "晚于今天" in errors[(7, "排查日期")]
        assert "早于该党组织的成立日期" in errors[(8, "排查日期")]
        assert "早于排查日期" in errors[(9, "整改时限")]
        assert (10, "排查日期") in errors
        assert "与第 11 行" in errors[(12, "排查日期")]
        assert "不能为空" in errors[(13, "评定等次")]
        assert BranchInspection.objects.count() == 1

    def test_a_problem_without_a_due_date_is_kept_with_a_warning(self, tmp_path, branches):
        rows = [
            ["古南街道第1联合党支部", "2022-04-26", None, "一般", "否", "台账不全", None, None],
            ["古南街道第1联合党支部", "2022-05-26", None, "好", "是", None, None, "2022-06-30"],
        ]
        sheet = run(tmp_path, rows)
        assert (sheet["created"], sheet["rejected"]) == (2, 0)
        warnings = {(w["row"], w["column"]): w["message"] for w in sheet["warnings"]}
        assert "未生成整改事项" in warnings[(3, "整改时限")] and "未生成整改事项" in warnings[(4, "整改时限")]
        assert BranchInspection.objects.get(inspected_on=D(2022, 4, 26)).problems == "台账不全"
        assert not Rectification.objects.exists()

    def test_the_other_findings_may_be_given_and_blank_means_not_checked(self, tmp_path, branches):
        header = [*HEADER, "组织生活会", "党费收缴", "活动阵地", "党员联系"]
        rows = [
            ["古南街道第1联合党支部", "2022-04-26", None, "一般", "是", None, None, None, "否", "是", None, "未落实"],
            ["古南街道第1联合党支部", "2022-05-06", None, "一般", "是", None, None, None, "偶尔", "是", "是", "是"],
        ]  # fmt: skip
        path = write_workbook(tmp_path / "排查.xlsx", {"排查记录": [header, *rows]})
        out = io.StringIO()
        call_command("import_data", path, "--json", stdout=out)
        sheet = json.loads(out.getvalue())["sheets"][0]
        assert (sheet["created"], sheet["rejected"]) == (1, 1), sheet["errors"]
        assert sheet["errors"][0]["row"] == 3 and sheet["errors"][0]["column"] == "组织生活会"
        saved = BranchInspection.objects.get()
        assert (saved.life_meeting_held, saved.dues_collected, saved.venue_in_place, saved.members_contacted) == (
            False, True, None, False,
        )  # fmt: skip
        rows_ = health.branches(PartyOrganization.objects.filter(pk=branches.pk), as_of=D(2022, 5, 31))
        found = {h.code: h.reason for h in health.hits(rows_.get(), as_of=D(2022, 5, 31))}
        assert found["findings_lacking"] == "2022-04-26排查发现：未按要求召开组织生活会、党员联系管理不到位"

    def test_a_county_user_imports_only_its_own_branches(self, tmp_path, branches):
        make_user("qx360802", role="county", region="360802")
        sheet = run(tmp_path, GOOD, "--user=qx360802")
        assert (sheet["created"], sheet["rejected"]) == (2, 1)
        assert "不在您的管辖范围内" in sheet["errors"][0]["message"] and sheet["errors"][0]["row"] == 5
