"""A later 摸排表 that changes many party organizations and instructors already in the system
writes them set-wise (`coverage.ledger_merge`): the same few statements for 4 branches as for 24,
each change audited with before and after, the figures as the sheet says; a branch outside the
importer's jurisdiction is left alone with a warning, and a change that would take a branch out
of it writes nothing of the set."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liangxin.core.auditchain import verify
from liangxin.core.models import AuditLog
from liangxin.coverage import ledger_merge
from liangxin.coverage.models import Assignment, CoverageLink, Formation, PartyOrganization
from tests.coverage.factories import credit_code, make_org, make_party_org, write_workbook
from tests.coverage.test_ledger import IMPORT_DAY, LATER, figures, import_on, run
from tests.factories import make_user

pytestmark = pytest.mark.django_db
D = datetime.date
HEADER = ["统一社会信用代码", "组织名称", "所属区划", "成立日期", "正式党员数", "是否建立党组织", "党组织名称",
          "组建方式", "党组织成立时间", "党组织书记", "是否选派党建指导员", "党建指导员姓名", "指导员联系电话", "派驻日期"]  # fmt: skip


def ledger(
    n: int, *, secretary: str, joint_extra: int = 0, instructed: int = 1, base: int = 7000
) -> list[list]:
    """`n` organizations each with its own branch (secretaries `secretary` + i), 2 + `joint_extra`
    in one joint branch, `instructed` with one instructor (from 1 June)."""
    rows = [HEADER]
    for i in range(n):
        rows.append([credit_code(serial=base + i), f"吉州{i}公司", "古南街道", "2015-03-01", 3, "是",
                     f"中共吉州{i}公司支部", "单独组建", "2021-07-01", f"{secretary}{i}", "否", None, None, None])  # fmt: skip
    for i in range(n, n + 2 + joint_extra):
        rows.append([credit_code(serial=base + i), f"吉州{i}公司", "古南街道", "2015-03-01", 1, "是",
                     f"古南街道第{base}联合党支部", "联合组建", "2021-03-01", None, "否", None, None, None])  # fmt: skip
    for j in range(instructed):
        rows.append([credit_code(serial=base + 100 + j), f"吉州指导{j}公司", "古南街道", "2015-03-01", 0, "否", None,
                     None, None, None, "是", f"王指导{base}", f"138{base:08d}", "2022-06-01"])  # fmt: skip
    return rows


def load(tmp_path, name, rows, moment):
    return import_on(moment, write_workbook(tmp_path / name, {"摸排表": rows}))


def changed_queries(tmp_path, n: int) -> int:
    load(tmp_path, f"first-{n}.xlsx", ledger(n, secretary="张", instructed=2, base=1000 * n), IMPORT_DAY)
    later = ledger(n, secretary="李", joint_extra=n, instructed=n, base=1000 * n)
    path = write_workbook(tmp_path / f"later-{n}.xlsx", {"摸排表": later})
    with CaptureQueriesContext(connection) as ctx, time_machine.travel(LATER, tick=False):
        (report,) = run("import_data", path, "--json")["sheets"]
    assert report["rejected"] == 0
    return len(ctx.captured_queries)


def test_many_changed_branches_and_instructors_are_written_with_the_same_statements(city, tmp_path):
    few = changed_queries(tmp_path, 4)
    many = changed_queries(tmp_path, 24)
    assert many <= few + 4, (few, many)  # not one save per branch (each costs ~20 statements)


def test_a_later_sheet_changes_secretaries_joint_members_and_assignments_as_it_says(city, tmp_path):
    load(tmp_path, "first.xlsx", ledger(3, secretary="张"), IMPORT_DAY)
    report = load(tmp_path, "later.xlsx", ledger(3, secretary="李", joint_extra=2, instructed=3), LATER)
    assert report["rejected"] == 0
    secretaries = dict(
        PartyOrganization.objects.filter(formation=Formation.SINGLE).values_list("name", "secretary")
    )
    assert secretaries == {f"中共吉州{i}公司支部": f"李{i}" for i in range(3)}
    joint = PartyOrganization.objects.get(name="古南街道第7000联合党支部")
    starts = dict(joint.links.values_list("organization__name", "starts_on"))
    assert starts == {
        "吉州3公司": None,
        "吉州4公司": None,
        "吉州5公司": D(2022, 6, 20),
        "吉州6公司": D(2022, 6, 20),
    }
    assert joint.county_code == "360802" and joint.township_code == "360802001"
    # the instructor's new organizations from their 派驻日期, the one already assigned kept
    assigned = dict(Assignment.objects.values_list("organization__name", "starts_on"))
    assert assigned == {f"吉州指导{j}公司": D(2022, 6, 1) for j in range(3)}
    assert not Assignment.objects.filter(ends_on__isnull=False).exists()
    updated = AuditLog.objects.filter(action="coverage.party_org.updated")
    assert updated.count() == 4  # three secretaries, one joint branch
    one = updated.get(object_repr="中共吉州0公司支部")
    assert (one.before, one.after) == ({"secretary": "张0"}, {"secretary": "李0"})
    assert len(updated.get(object_repr="古南街道第7000联合党支部").after["organizations"]) == 4
    assert AuditLog.objects.filter(action="coverage.instructor.updated").count() == 1
    assert verify().ok
    assert figures("2022-06-20")["吉州区"] == (10, 3, 4, 3, 0, 0)
    again = load(tmp_path, "later-again.xlsx", ledger(3, secretary="李", joint_extra=2, instructed=3), LATER)
    assert (again["updated"], again["unchanged"]) == (0, 10)


def test_a_branch_of_another_county_is_left_alone_with_a_warning(city, tmp_path):
    other = make_org("青原某公司", region="360803001", members=1)
    branch = make_party_org("青原区第一联合党支部", other, formation=Formation.JOINT)
    make_user("qx360802", role="county", region="360802")
    rows = [HEADER, [credit_code(serial=7990), "吉州某公司", "古南街道", "2015-03-01", 1, "是", "青原区第一联合党支部",
                     "联合组建", None, "刘某", "否", None, None, None]]  # fmt: skip
    path = write_workbook(tmp_path / "吉州区.xlsx", {"摸排表": rows})
    with time_machine.travel(IMPORT_DAY, tick=False):
        (report,) = run("import_data", path, "--json", "--user", "qx360802")["sheets"]
    assert (report["created"], report["rejected"]) == (1, 0)
    (warning,) = [w for w in report["warnings"] if w["column"] == "党组织名称"]
    assert "不在您的管辖范围内" in warning["message"] and warning["row"] == 2
    branch.refresh_from_db()
    assert branch.secretary == "" and list(branch.links.values_list("organization", flat=True)) == [other.pk]


def test_a_change_that_would_take_a_branch_out_of_the_actors_county_writes_nothing(city):
    mine = make_org("吉州某公司", region="360802001", members=1)
    theirs = make_org("青原某公司", region="360803001", members=1)
    branch = make_party_org("某联合党支部", mine, formation=Formation.JOINT)
    county = make_user("qx360802", role="county", region="360802")
    change = ledger_merge.Change(branch, {theirs.pk}, {mine.pk}, {"secretary": "刘某"})
    assert ledger_merge.changeable(ledger_merge.PARTY, [branch.pk], county) == {branch.pk}
    done = ledger_merge.merge(ledger_merge.PARTY, [change], actor=county, today=D(2022, 6, 15), source="command",
                              source_detail="")  # fmt: skip
    assert done is None
    branch.refresh_from_db()
    assert (branch.secretary, branch.county_code) == ("", "360802")
    assert list(CoverageLink.objects.values_list("organization", "ends_on")) == [(mine.pk, None)]
    assert not AuditLog.objects.filter(action="coverage.party_org.updated").exists()
