"""A workbook with organizations, party organizations and instructors imports cleanly, and the
figures per county on two dates are the rules of domain.md §4 applied by hand."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from liangxin.core.models import AuditLog
from liangxin.coverage.models import Assignment, CoverageLink, Instructor, PartyOrganization
from tests.coverage.factories import credit_code, make_org, write_workbook
from tests.factories import make_user

A, B, C, D_, E, F, G, H = (
    credit_code(serial=900 + i, division="360802" if i < 6 else "360803") for i in range(8)
)

ORG_HEADER = ["统一社会信用代码", "组织名称", "所属区划", "成立日期", "登记状态", "从业人员数", "正式党员数"]
ORGS = [
    ORG_HEADER,
    [A, "吉州甲公司", "古南街道", "2015-03-01", "存续", 20, 5],
    [B, "吉州乙公司", "古南街道", "2016-03-01", "存续", 20, 4],
    [C, "吉州丙公司", "永叔街道", "2017-03-01", "在业", 5, 1],
    [D_, "吉州丁公司", "永叔街道", "2017-03-01", "在业", 5, 2],
    [E, "吉州戊公司", "古南街道", "2018-03-01", "存续", 5, 0],
    [F, "吉州己公司", "古南街道", "2018-03-01", "注销", 5, 4],
    [G, "青原甲公司", "青原区", "2022-06-20", "存续", 5, 0],
    [H, "青原乙公司", "青原区", "2019-01-01", "存续", 50, 3],
]
PARTY_ORGS = [
    [
        "党组织名称",
        "党组织类别",
        "组建方式",
        "覆盖组织统一社会信用代码",
        "上级党组织",
        "书记姓名",
        "成立日期",
        "状态",
        "撤销日期",
    ],
    ["吉州甲公司党支部", "党支部", "单独组建", A, None, "李一", "2022-07-01", "正常", None],
    ["吉州乙公司党支部", "党支部", "单独组建", B, None, "李二", "2019-05-01", "撤销", "2022-06-15"],
    [
        "永叔街道非公企业联合党支部",
        "党支部",
        "联合组建",
        f"{C}、{D_.lower()}",
        None,
        None,
        "2020-01-01",
        "正常",
        None,
    ],
    ["吉州己公司党支部", "党支部", "单独组建", F, None, "李三", "2019-01-01", "正常", None],
]
INSTRUCTORS = [
    ["指导员姓名", "联系电话", "工作单位", "指导组织统一社会信用代码", "派驻日期"],
    ["王指导", "138 0013 8001", "古南街道党工委", f"{C}；{E}", "2022-03-01"],
]


def run(*args) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def county_rows(as_of: str) -> dict[str, dict]:
    data = run("coverage", "--as-of", as_of, "--json")
    return {row["name"]: row for row in data["rows"]} | {"全市": data["total"]}


def pick(row, *keys):
    return tuple(row[k] for k in keys)


@pytest.fixture
def workbook(tmp_path):
    return write_workbook(
        tmp_path / "两个覆盖.xlsx", {"两新组织": ORGS, "党组织": PARTY_ORGS, "党建指导员": INSTRUCTORS}
    )


@pytest.mark.django_db
class TestTheWholeWorkbook:
    def test_it_imports_cleanly_and_a_second_run_changes_nothing(self, city, workbook):
        first = run("import_data", workbook, "--json")
        by_type = {s["type"]: s for s in first["sheets"]}
        assert by_type["party_organizations"]["created"] == 4
        assert by_type["party_organizations"]["rejected"] == 0
        assert by_type["instructors"]["created"] == 1
        assert CoverageLink.objects.count() == 5
        assert Assignment.objects.filter(starts_on="2022-03-01").count() == 2
        assert Instructor.objects.get().phone == "13800138001"
        assert AuditLog.objects.filter(action="coverage.party_org.created").count() == 4
        second = run("import_data", workbook, "--json")
        for sheet in second["sheets"]:
            assert (sheet["created"], sheet["updated"], sheet["rejected"]) == (0, 0, 0), sheet

    def test_the_figures_per_county_in_may_equal_the_rules_applied_by_hand(self, city, workbook):
        run("import_data", workbook, "--json")
        rows = county_rows("2022-05-31")
        keys = ("total", "single", "joint", "work", "none", "should_build")
        # 吉州区: 甲 none (its branch comes in July), 乙 single (dissolved only in June),
        # 丙 joint (the instructor does not make it work), 丁 joint, 戊 work; 己 is 注销.
        assert pick(rows["吉州区"], *keys) == (5, 1, 2, 1, 1, 1)
        assert rows["吉州区"]["org_rate"] == 0.6 and rows["吉州区"]["org_rate_pct"] == 60.0
        assert rows["吉州区"]["work_rate"] == 0.8
        # 青原区: 甲 not founded yet; 乙 has 3 members and nothing.
        assert pick(rows["青原区"], *keys) == (1, 0, 0, 0, 1, 1)
        assert pick(rows["全市"], *keys) == (6, 1, 2, 1, 2, 2)
        should_build = run("blindspots", "--as-of", "2022-05-31", "--json")["should_build"]
        assert sorted(o["name"] for o in should_build) == ["吉州甲公司", "青原乙公司"]

    def test_the_figures_per_county_in_august_equal_the_rules_applied_by_hand(self, city, workbook):
        run("import_data", workbook, "--json")
        rows = county_rows("2022-08-31")
        keys = ("total", "single", "joint", "work", "none", "should_build")
        # 甲 now single; 乙's branch was dissolved: none, and 应建未建 with 4 members.
        assert pick(rows["吉州区"], *keys) == (5, 1, 2, 1, 1, 1)
        should_build = run("blindspots", "--as-of", "2022-08-31", "--json")["should_build"]
        assert sorted(o["name"] for o in should_build) == ["吉州乙公司", "青原乙公司"]
        assert pick(rows["青原区"], *keys) == (2, 0, 0, 0, 2, 1)


@pytest.mark.django_db
class TestRejectedRows:
    def test_an_unknown_credit_code_rejects_the_row_naming_it(self, city, tmp_path):
        make_org("已有公司", credit_code=A)
        path = write_workbook(
            tmp_path / "p.xlsx",
            {
                "党组织": [
                    PARTY_ORGS[0],
                    ["某联合党支部", "党支部", "联合组建", f"{A}、{G}", None, None, None, "正常", None],
                ]
            },
        )
        sheet = run("import_data", path, "--json")["sheets"][0]
        assert sheet["rejected"] == 1
        error = sheet["errors"][0]
        assert error["row"] == 2 and error["column"] == "覆盖组织统一社会信用代码"
        assert G in error["message"] and "不在两新组织台账中" in error["message"]
        assert not PartyOrganization.objects.exists()

    def test_bad_values_are_named_with_row_and_column(self, city, tmp_path):
        path = write_workbook(
            tmp_path / "p.xlsx",
            {
                "党组织": [
                    PARTY_ORGS[0],
                    ["甲支部", "党小组", "单独组建", None, None, None, None, None, None],
                    ["乙支部", "党支部", "随便", None, None, None, "2022-13-01", None, None],
                    ["丙支部", "党支部", "单独组建", "123", "不存在的党委", None, None, None, None],
                ]
            },
        )
        errors = run("import_data", path, "--json")["sheets"][0]["errors"]
        messages = {(e["row"], e["column"]): e["message"] for e in errors}
        assert "无法识别的党组织类别“党小组”" in messages[(2, "党组织类别")]
        assert "无法识别的组建方式“随便”" in messages[(3, "组建方式")]
        assert (3, "成立日期") in messages
        assert (4, "覆盖组织统一社会信用代码") in messages

    def test_a_parent_outside_the_system_is_kept_by_name_with_a_warning(self, city, tmp_path):
        path = write_workbook(
            tmp_path / "p.xlsx",
            {
                "党组织": [
                    PARTY_ORGS[0],
                    ["甲支部", "党支部", "单独组建", None, "古南街道党工委", None, None, None, None],
                ]
            },
        )
        sheet = run("import_data", path, "--json")["sheets"][0]
        assert sheet["created"] == 1 and sheet["errors"] == []
        (warning,) = sheet["warnings"]
        assert warning["row"] == 2 and warning["column"] == "上级党组织"
        assert "古南街道党工委" in warning["message"] and "系统外" in warning["message"]
        branch = PartyOrganization.objects.get(name="甲支部")
        assert branch.parent is None and branch.external_parent_name == "古南街道党工委"

    def test_a_county_user_cannot_cover_another_countys_organization(self, city, tmp_path):
        make_org("青原公司", region="360803001", credit_code=G)
        make_user("qx360802", role="county", region="360802")
        path = write_workbook(
            tmp_path / "p.xlsx",
            {
                "党组织": [
                    PARTY_ORGS[0],
                    ["越权支部", "党支部", "单独组建", G, None, None, None, "正常", None],
                ]
            },
        )
        sheet = run("import_data", path, "--json", "--user", "qx360802")["sheets"][0]
        assert sheet["rejected"] == 1 and "不在您的管辖范围内" in sheet["errors"][0]["message"]


@pytest.mark.django_db
class TestCommands:
    def test_coverage_refuses_a_bad_scope_date_or_region_in_chinese(self, city):
        with pytest.raises(CommandError, match="无法识别的统计范围"):
            run("coverage", "--scope", "big", "--json")
        with pytest.raises(CommandError, match="格式不对"):
            run("coverage", "--as-of", "2022-5", "--json")
        with pytest.raises(CommandError, match="区划代码“999999”不存在"):
            run("coverage", "--region", "999999", "--json")

    def test_coverage_by_region_lists_the_townships_of_a_county(self, city):
        make_org("古南甲", region="360802001")
        data = run("coverage", "--region", "360802", "--as-of", "2022-05-31", "--json")
        assert data["by"] == "township" and data["region"] == "360802"
        assert {r["name"]: r["total"] for r in data["rows"]}["古南街道"] == 1

    def test_blindspots_lists_should_build_and_uncovered(self, city):
        make_org("三党员公司", members=3)
        data = run("blindspots", "--as-of", "2022-05-31", "--json")
        assert [o["name"] for o in data["should_build"]] == ["三党员公司"]
        assert [o["name"] for o in data["uncovered"]] == ["三党员公司"]


@pytest.mark.django_db
class TestInstructorSheet:
    def test_it_upserts_by_name_and_phone_and_ends_dropped_assignments(self, city, tmp_path):
        a, b = make_org("甲公司"), make_org("乙公司")
        header = INSTRUCTORS[0]
        first = write_workbook(
            tmp_path / "1.xlsx",
            {
                "指导员": [
                    header,
                    ["王指导", "13800138001", "街道", f"{a.credit_code},{b.credit_code}", "2022-03-01"],
                ]
            },
        )
        run("import_data", first, "--json")
        second = write_workbook(
            tmp_path / "2.xlsx",
            {"指导员": [header, ["王指导", "13800138001", "街道党工委", a.credit_code, "2022-03-01"]]},
        )
        sheet = run("import_data", second, "--json")["sheets"][0]
        assert (sheet["created"], sheet["updated"]) == (0, 1)
        instructor = Instructor.objects.get()
        assert instructor.workplace == "街道党工委"
        assert instructor.assignments.get(organization=b).ends_on is not None
        assert instructor.assignments.get(organization=a).ends_on is None
        other_phone = write_workbook(
            tmp_path / "3.xlsx", {"指导员": [header, ["王指导", "13900139001", "", "", ""]]}
        )
        assert run("import_data", other_phone, "--json")["sheets"][0]["created"] == 1

    def test_a_bad_phone_is_named(self, city, tmp_path):
        path = write_workbook(
            tmp_path / "1.xlsx", {"指导员": [INSTRUCTORS[0], ["王指导", "12345", "", "", ""]]}
        )
        error = run("import_data", path, "--json")["sheets"][0]["errors"][0]
        assert error["row"] == 2 and error["column"] == "联系电话"
