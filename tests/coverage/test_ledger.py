"""The combined 摸排表 (issue 21): one row per organization with its party organization and its
instructor beside it. Built here with single, joint (a name shared across rows, and one naming a
joint branch already in the system), instructor-only, uncovered and contradictory rows; the
figures of `coverage --json` on two dates are those computed by hand from the sheet."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from liangxin.core.importing import ImportContext, run_import
from liangxin.core.tabular import mask_phone
from liangxin.coverage import ledger_export
from liangxin.coverage.models import Assignment, CoverageLink, Formation, Instructor, PartyOrganization
from liangxin.registry.models import Organization
from tests.coverage.factories import credit_code, make_org, make_party_org, write_workbook

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
IMPORT_DAY = datetime.datetime(2022, 6, 15, 10, 0, tzinfo=SHANGHAI)
LATER = datetime.datetime(2022, 6, 20, 10, 0, tzinfo=SHANGHAI)

A, B, C, D_, E, F, G, H, X = (
    credit_code(serial=2100 + i, division="360803" if i in (5, 6) else "360802") for i in range(9)
)
HEADER = [
    "统一社会信用代码",
    "组织名称",
    "所属区划",
    "成立日期",
    "正式党员数",
    "是否建立党组织",
    "党组织名称",
    "组建方式",
    "党组织成立时间",
    "党组织书记",
    "是否选派党建指导员",
    "党建指导员姓名",
    "指导员联系电话",
    "派驻日期",
    "微信公众号",  # made up: warned, never imported
]
JOINT = "永叔街道非公企业联合党支部"
EXISTING = "古南街道非公企业联合党支部"
ROWS = [
    ["2022年吉州区、青原区两新组织党建摸排表"],
    HEADER,
    [
        A,
        "吉州甲公司",
        "古南街道",
        "2015-03-01",
        5,
        "是",
        "中共吉州甲公司支部委员会",
        "单独组建",
        "2021-07-01",
        "李一",
        "否",
        None,
        None,
        None,
        "jia",
    ],
    [
        B,
        "吉州乙公司",
        "永叔街道",
        "2016-03-01",
        1,
        "已建",
        JOINT,
        "联合组建",
        "2022-03-01",
        "李二",
        "否",
        None,
        None,
        None,
        None,
    ],
    [
        C,
        "吉州丙公司",
        "永叔街道",
        "2017-03-01",
        2,
        "是",
        JOINT,
        "联合组建",
        None,
        None,
        "否",
        None,
        None,
        None,
        None,
    ],
    [
        D_,
        "吉州丁公司",
        "古南街道",
        "2017-03-01",
        0,
        "是",
        EXISTING,
        "联合组建",
        None,
        None,
        "否",
        None,
        None,
        None,
        None,
    ],
    [
        E,
        "吉州戊公司",
        "古南街道",
        "2018-03-01",
        0,
        "否",
        "无",
        None,
        None,
        None,
        "是",
        "王指导",
        "138 0013 8001",
        "2022-03-01",
        None,
    ],
    [
        F,
        "青原己公司",
        "青原区",
        "2019-01-01",
        3,
        "未建",
        None,
        None,
        None,
        None,
        "否",
        None,
        None,
        None,
        None,
    ],
    # contradictory: 否 beside a party organization's name (and an instructor from the import day)
    [
        G,
        "青原庚公司",
        "青原区",
        "2018-01-01",
        1,
        "否",
        "青原庚公司党支部",
        None,
        None,
        None,
        "是",
        "王指导",
        "13800138001",
        None,
        None,
    ],
    # contradictory: 单独组建 with 2 正式党员
    [
        H,
        "吉州辛公司",
        "吉州区",
        "2019-01-01",
        2,
        "是",
        "中共吉州辛公司支部",
        "单独组建",
        "2022-01-01",
        "李三",
        None,
        None,
        None,
        None,
        None,
    ],
]
KEYS = ("total", "single", "joint", "work", "none", "should_build")


def run(*args) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def figures(as_of: str) -> dict[str, tuple]:
    data = run("coverage", "--as-of", as_of, "--json")
    rows = {row["name"]: row for row in data["rows"]} | {"全市": data["total"]}
    return {name: tuple(row[k] for k in KEYS) for name, row in rows.items() if row["total"]}


@pytest.fixture
def sheet(city, tmp_path):
    # A joint branch already in the system (founded 2020), covering 吉州壬公司; 丁 joins it.
    make_party_org(EXISTING, make_org("吉州壬公司", credit_code=X, founded_on=datetime.date(2010, 1, 1)),
                   formation=Formation.JOINT, founded_on=datetime.date(2020, 1, 1))  # fmt: skip
    return write_workbook(tmp_path / "摸排表.xlsx", {"摸排表": ROWS})


def import_on(moment, path) -> dict:
    with time_machine.travel(moment, tick=False):
        (report,) = run("import_data", path, "--json")["sheets"]
    return report


def test_one_row_gives_the_organization_its_party_organization_and_its_instructor(sheet):
    report = import_on(IMPORT_DAY, sheet)
    assert report["type"] == "ledger"
    assert (report["created"], report["updated"], report["rejected"]) == (8, 0, 0), report["errors"]
    single = PartyOrganization.objects.get(name="中共吉州甲公司支部委员会")
    assert single.formation == Formation.SINGLE and single.secretary == "李一"
    assert single.founded_on == datetime.date(2021, 7, 1)
    joint = PartyOrganization.objects.get(name=JOINT)
    assert joint.formation == Formation.JOINT
    assert sorted(joint.organizations.values_list("name", flat=True)) == ["吉州丙公司", "吉州乙公司"]
    existing = PartyOrganization.objects.get(name=EXISTING)
    assert sorted(existing.organizations.values_list("name", flat=True)) == ["吉州丁公司", "吉州壬公司"]
    assert CoverageLink.objects.get(
        party_org=existing, organization__credit_code=D_
    ).starts_on == datetime.date(2022, 6, 15)
    instructor = Instructor.objects.get()
    assert (instructor.name, instructor.phone) == ("王指导", "13800138001")
    starts = dict(Assignment.objects.values_list("organization__credit_code", "starts_on"))
    assert starts == {E: datetime.date(2022, 3, 1), G: datetime.date(2022, 6, 15)}
    assert not PartyOrganization.objects.filter(name="青原庚公司党支部").exists()


def test_coverage_equals_the_figures_computed_by_hand_on_two_dates(sheet):
    import_on(IMPORT_DAY, sheet)
    # 31 May: 甲 and 辛 single; 乙, 丙 (branch founded in March) and 壬 joint; 戊 work; 丁 joins
    # the existing branch only on the import day, 庚's instructor starts then: 丁, 己, 庚 none.
    # 应建未建: 己 (3 members, nothing).
    may = figures("2022-05-31")
    assert may["吉州区"] == (7, 2, 3, 1, 1, 0)
    assert may["青原区"] == (2, 0, 0, 0, 2, 1)
    assert may["全市"] == (9, 2, 3, 1, 3, 1)
    june = figures("2022-06-30")
    assert june["吉州区"] == (7, 2, 4, 1, 0, 0)
    assert june["青原区"] == (2, 0, 0, 1, 1, 1)
    assert june["全市"] == (9, 2, 4, 2, 1, 1)


def test_a_second_import_changes_nothing(sheet):
    import_on(IMPORT_DAY, sheet)
    counts = (PartyOrganization.objects.count(), CoverageLink.objects.count(), Assignment.objects.count())
    second = import_on(LATER, sheet)
    assert (second["created"], second["updated"], second["unchanged"], second["rejected"]) == (0, 0, 8, 0)
    assert counts == (
        PartyOrganization.objects.count(),
        CoverageLink.objects.count(),
        Assignment.objects.count(),
    )
    assert not CoverageLink.objects.filter(ends_on__isnull=False).exists()
    assert figures("2022-06-30")["全市"] == (9, 2, 4, 2, 1, 1)


def test_contradictory_rows_are_imported_with_warnings_that_say_why(sheet):
    report = import_on(IMPORT_DAY, sheet)
    warnings = {(w["row"], w["column"]): w["message"] for w in report["warnings"]}
    assert "为“否”，但填写了党组织名称“青原庚公司党支部”" in warnings[(9, "是否建立党组织")]
    assert "正式党员数为 2" in warnings[(10, "组建方式")] and "单独组建" in warnings[(10, "组建方式")]
    assert report["rejected"] == 0 and report["errors"] == []
    assert PartyOrganization.objects.get(name="中共吉州辛公司支部").formation == Formation.SINGLE


def test_every_header_is_read_or_warned_about(sheet):
    with time_machine.travel(IMPORT_DAY, tick=False):
        report = run_import(sheet, ImportContext(actor=None, filename="摸排表.xlsx", dry_run=True))
    (summary,) = report.summary()["sheets"]
    read = {c["header"]: c["field"] for c in summary["columns"]}
    assert [c["header"] for c in summary["columns"]] == HEADER
    assert read["是否建立党组织"] == "是否建立党组织" and read["指导员联系电话"] == "指导员联系电话"
    assert "未识别" in read["微信公众号"]
    (made_up,) = [w for w in summary["warnings"] if w["column"] == "微信公众号"]
    assert made_up["row"] == 2 and made_up["message"].startswith("列“微信公众号”未识别，未导入")
    # the preview counts what a real import would do, and writes nothing
    assert (summary["created"], summary["rejected"]) == (8, 0)
    assert not PartyOrganization.objects.filter(name=JOINT).exists()


def test_a_later_sheet_saying_no_ends_the_link_as_of_its_date_with_a_warning(sheet, tmp_path):
    import_on(IMPORT_DAY, sheet)
    later = [row[:] for row in ROWS]
    later[2][5:10] = ["否", None, None, None, None]  # 甲 now says it has no party organization
    later[6][10:14] = ["否", None, None, None]  # 戊 no longer has an instructor
    path = write_workbook(tmp_path / "摸排表-7月.xlsx", {"摸排表": later})
    report = import_on(LATER, path)
    assert (report["updated"], report["unchanged"]) == (2, 6)
    messages = {(w["row"], w["column"]): w["message"] for w in report["warnings"]}
    assert "“中共吉州甲公司支部委员会”的覆盖关系自 2022-06-20 起结束" in messages[(3, "是否建立党组织")]
    assert "“王指导”对该组织的派驻自 2022-06-20 起结束" in messages[(7, "是否选派党建指导员")]
    link = CoverageLink.objects.get(organization__credit_code=A)
    assert link.ends_on == datetime.date(2022, 6, 20)
    assert figures("2022-06-19")["吉州区"] == (7, 2, 4, 1, 0, 0)
    assert figures("2022-06-20")["吉州区"] == (7, 1, 4, 0, 2, 1)  # 甲 应建未建 again


def test_the_combined_export_reimports_with_unchanged_equal_to_its_row_count(sheet, tmp_path):
    import_on(IMPORT_DAY, sheet)
    exported = tmp_path / "摸排表-导出.xlsx"
    with time_machine.travel(LATER, tick=False):
        call_command("export_ledger", str(exported), "--as-of", "2022-06-20", stdout=io.StringIO())
    book = CalamineWorkbook.from_path(str(exported)).get_sheet_by_index(0).to_python()
    rows = {r[0]: dict(zip(ledger_export.HEADERS, r, strict=True)) for r in book[1:]}
    assert len(rows) == 9  # the 8 of the sheet and 壬, already in the system
    assert (rows[A]["是否建立党组织"], rows[A]["党组织名称"], rows[A]["组建方式"]) == (
        "是",
        "中共吉州甲公司支部委员会",
        "单独组建",
    )
    assert (rows[D_]["党组织名称"], rows[X]["党组织名称"]) == (EXISTING, EXISTING)
    assert (rows[G]["是否建立党组织"], rows[G]["党建指导员姓名"], rows[G]["指导员联系电话"]) == (
        "否",
        "王指导",
        "13800138001",
    )
    before = (CoverageLink.objects.count(), Assignment.objects.count(), PartyOrganization.objects.count())
    report = import_on(LATER, str(exported))
    assert report["type"] == "ledger"
    assert (report["created"], report["updated"], report["rejected"]) == (0, 0, 0), report
    assert report["unchanged"] == len(rows)
    assert before == (
        CoverageLink.objects.count(),
        Assignment.objects.count(),
        PartyOrganization.objects.count(),
    )
    assert not CoverageLink.objects.filter(ends_on__isnull=False).exists()


def test_the_export_as_of_an_earlier_date_shows_the_facts_of_that_date(sheet, tmp_path):
    import_on(IMPORT_DAY, sheet)
    exported = tmp_path / "5月.xlsx"
    call_command(
        "export_ledger", str(exported), "--as-of", "2022-05-31", "--region", "360802", stdout=io.StringIO()
    )
    book = CalamineWorkbook.from_path(str(exported)).get_sheet_by_index(0).to_python()
    rows = {r[0]: dict(zip(ledger_export.HEADERS, r, strict=True)) for r in book[1:]}
    assert set(rows) == {A, B, C, D_, E, H, X}  # 吉州区 only
    assert rows[D_]["是否建立党组织"] == "否"  # it joined the branch on 15 June
    assert rows[E]["派驻日期"] == "2022-03-01"


def test_the_import_page_offers_the_combined_template_with_its_notes(city, client_for, office):
    client = client_for(office)
    page = client.get("/import/").content.decode()
    assert "/coverage/templates/ledger.xlsx" in page and "摸排表" in page
    assert (
        "/coverage/templates/party-organizations.xlsx" in page
        and "/coverage/templates/instructors.xlsx" in page
    )
    response = client.get("/coverage/templates/ledger.xlsx")
    assert response.status_code == 200
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheet_names == ["两新组织党建摸排表导入模板", "填表说明"]
    header = workbook.get_sheet_by_index(0).to_python()[0]
    assert (
        header[:2] == ["统一社会信用代码", "组织名称"]
        and "是否建立党组织" in header
        and "指导员联系电话" in header
    )
    notes = {row[0]: row for row in workbook.get_sheet_by_name("填表说明").to_python()[1:]}
    assert "已建/未建" in notes["是否建立党组织"][3] and "党组织建立情况" in notes["是否建立党组织"][2]
    assert client.get("/coverage/templates/nothing.xlsx").status_code == 404


def _exported(tmp_path, as_of="2022-06-20") -> tuple[str, list[list]]:
    path = tmp_path / f"导出-{as_of}.xlsx"
    call_command("export_ledger", str(path), "--as-of", as_of, stdout=io.StringIO())
    return str(path), CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_a_masked_phone_and_a_dissolved_branch_still_reimport_unchanged(sheet, tmp_path):
    import_on(IMPORT_DAY, sheet)
    # 己 had a branch dissolved in 2021: its link stays open in the system but covers nothing
    make_party_org(
        "青原己公司原党支部",
        Organization.objects.get(credit_code=F),
        dissolved_on=datetime.date(2021, 3, 1),
        region="360803",
    )
    _, table = _exported(tmp_path)
    header = table[0]
    phone = header.index("指导员联系电话")
    for row in table[1:]:  # as a user who may not see phones in full would get them
        if row[phone]:
            row[phone] = mask_phone(row[phone])
    assert any("****" in str(row[phone]) for row in table[1:])
    path = write_workbook(tmp_path / "掩码.xlsx", {"摸排表": table})
    report = import_on(LATER, path)
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, len(table) - 1), report
    assert Instructor.objects.count() == 1
    assert not CoverageLink.objects.filter(ends_on__isnull=False).exists()


def test_an_organization_naming_another_joint_branch_leaves_the_old_one_with_a_warning(sheet, tmp_path):
    import_on(IMPORT_DAY, sheet)
    later = [row[:] for row in ROWS]
    later[4][6] = EXISTING  # 丙 moves from the 永叔 branch to the 古南 one
    report = import_on(LATER, write_workbook(tmp_path / "7月.xlsx", {"摸排表": later}))
    assert (report["updated"], report["unchanged"], report["rejected"]) == (1, 7, 0)
    (warning,) = [w for w in report["warnings"] if w["row"] == 5]
    assert f"“{JOINT}”的覆盖关系自 2022-06-20 起结束" in warning["message"]
    covered = dict(
        CoverageLink.objects.filter(organization__credit_code=C, ends_on__isnull=True).values_list(
            "party_org__name", "starts_on"
        )
    )
    assert covered == {EXISTING: datetime.date(2022, 6, 20)}
    # 乙's row did not change: it stays in the 永叔 branch
    assert CoverageLink.objects.get(organization__credit_code=B).ends_on is None
    assert figures("2022-06-30")["吉州区"] == (7, 2, 4, 1, 0, 0)  # still joint, by another branch


def test_a_row_that_cannot_say_which_instructor_warns_and_imports_the_organization(city, tmp_path):
    header = [
        "统一社会信用代码",
        "组织名称",
        "所属区划",
        "党建指导员姓名",
        "指导员联系电话",
        "是否建立党组织",
    ]
    rows = [
        header,
        [A, "吉州甲公司", "古南街道", "王指导", None, "是"],  # no phone, no such instructor: cannot create
        [B, "吉州乙公司", "古南街道", "李指导", "12345", "也许"],  # a phone and a 是否 that cannot be read
    ]
    report = import_on(IMPORT_DAY, write_workbook(tmp_path / "x.xlsx", {"摸排表": rows}))
    assert (report["created"], report["rejected"]) == (2, 0)
    messages = {(w["row"], w["column"]): w["message"] for w in report["warnings"]}
    assert "无法确定是哪一位指导员“王指导”" in messages[(2, "指导员联系电话")]
    assert "“也许”" in messages[(3, "是否建立党组织")]
    assert (3, "指导员联系电话") in messages
    # 甲 says 是 without a name: a single branch named after it, with a warning
    assert "“吉州甲公司党支部”" in messages[(2, "党组织名称")]
    assert not Instructor.objects.exists()


def test_through_the_import_page_the_preview_shows_what_the_party_columns_change(sheet, office, client_for):
    client = client_for(office)
    with time_machine.travel(IMPORT_DAY, tick=False), open(sheet, "rb") as fh:
        body = client.post("/import/", {"file": fh}, follow=True).content.decode()
    assert "各列的读法" in body and "是否建立党组织" in body and "微信公众号" in body
    assert "列“微信公众号”未识别，未导入" in body and "正式党员数为 2" in body
    assert not PartyOrganization.objects.filter(name=JOINT).exists()  # a preview writes nothing


def test_the_coverage_page_links_the_combined_export_of_its_date_and_region(sheet, office, client_for):
    import_on(IMPORT_DAY, sheet)
    client = client_for(office)
    page = client.get("/coverage/overview/?as_of=2022-06-30&region=360802").content.decode()
    assert "/coverage/ledger/export/?as_of=2022-06-30" in page and "导出摸排表" in page
    response = client.get("/coverage/ledger/export/?as_of=2022-06-30&region=360803&format=csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:2] == ["统一社会信用代码", "组织名称"] and len(lines) == 3  # 己, 庚
    assert "王指导" in lines[1] + lines[2]


def test_a_county_user_imports_its_own_rows_with_audit_records_and_an_intact_chain(sheet, tmp_path):
    from liangxin.core.auditchain import verify
    from liangxin.core.models import AuditLog
    from tests.factories import make_user

    make_user("qx360802", role="county", region="360802")
    own = [ROWS[1], *[row for row in ROWS[2:] if row[0] not in (F, G)]]  # 吉州区's rows only
    path = write_workbook(tmp_path / "吉州区.xlsx", {"摸排表": own})
    with time_machine.travel(IMPORT_DAY, tick=False):
        (report,) = run("import_data", path, "--json", "--user", "qx360802")["sheets"]
    assert (report["created"], report["rejected"]) == (6, 0), report
    created = AuditLog.objects.filter(action="coverage.party_org.created", actor__username="qx360802")
    assert sorted(created.values_list("object_repr", flat=True)) == sorted(
        ["中共吉州甲公司支部委员会", JOINT, "中共吉州辛公司支部"]
    )
    assert AuditLog.objects.filter(action="coverage.instructor.created").count() == 1
    assert verify().ok
    assert PartyOrganization.objects.get(name=JOINT).county_code == "360802"


def test_export_ledger_draws_a_bar_in_a_terminal(city, tmp_path):
    from tests.terminal import full_bar, in_a_terminal

    make_org("吉州甲公司")
    make_org("吉州乙公司")
    text = in_a_terminal("export_ledger", str(tmp_path / "摸排表.xlsx"), "--as-of", "2022-06-20")
    assert full_bar(text).startswith(f"[{'#' * 30}] 已完成 2 行（100%）")
    assert "已导出 2 个组织的摸排表" in text
    assert CalamineWorkbook.from_path(str(tmp_path / "摸排表.xlsx")).get_sheet_by_index(0).to_python()[2][
        1
    ] in (
        "吉州甲公司",
        "吉州乙公司",
    )


def test_coverage_draws_a_bar_in_a_terminal_and_none_under_json_or_into_a_file(city):
    from tests.terminal import full_bar, in_a_terminal

    make_org("吉州甲公司")
    text = in_a_terminal("coverage", "--as-of", "2022-06-20")
    assert "已处理 0 / 2 步（0%）" in text
    assert full_bar(text).startswith(f"[{'#' * 30}] 已完成 2 步（100%）")
    assert "\n吉安市“两个覆盖”情况（截至 2022-06-20" in text.replace("\r\n", "\n")
    by_tag = in_a_terminal("coverage", "--as-of", "2022-06-20", "--by", "tag")
    assert full_bar(by_tag).startswith(f"[{'#' * 30}] 已完成 3 步（100%）")
    quiet = in_a_terminal("coverage", "--as-of", "2022-06-20", "--json")
    assert "[" not in quiet.split("{")[0] and json.loads(quiet)["total"]["total"] == 1
    into_a_file = io.StringIO()
    call_command("coverage", "--as-of", "2022-06-20", stdout=into_a_file)
    assert "#" not in into_a_file.getvalue() and "步" not in into_a_file.getvalue()
