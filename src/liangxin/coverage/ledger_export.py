"""The combined 摸排表 as a file: the registry's export columns, then each organization's party
organization and instructor as of a date (the engine's covering rules: the single branch before
a joint one; an active assignment), in the columns the combined import reads — so an export
re-imports with every row unchanged. Also the blank import templates with their 填表说明 sheet."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.db.models import QuerySet

from liangxin.core.exporting import write_import_template, write_xlsx
from liangxin.core.importing import SheetImporter
from liangxin.core.masking import shown
from liangxin.coverage import engine
from liangxin.coverage.ledger import PARTY_COLUMNS, PARTY_NOTES
from liangxin.coverage.models import Assignment, CoverageLink
from liangxin.registry import queries, rules

HEADERS = [*queries.EXPORT_HEADERS, *(c.label for c in PARTY_COLUMNS)]
CHUNK = 2000


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def rows(queryset: QuerySet, *, viewer, as_of: datetime.date) -> Iterator[list[Any]]:
    """One row per organization of `queryset` (already scoped to `viewer`; None: a command)."""
    pairs = queries.export_rows(queryset, viewer=viewer, with_org=True)
    while chunk := list(islice(pairs, CHUNK)):
        ids = [org.pk for org, _ in chunk]
        party = _party_orgs(ids, as_of)
        instructors = _instructors(ids, as_of)
        for org, row in chunk:
            link = party.get(org.pk)
            assignment = instructors.get(org.pk)
            p = link.party_org if link else None
            i = assignment.instructor if assignment else None
            phone = "" if i is None else i.phone if viewer is None else shown(viewer, i, "phone")
            yield [
                *row,
                "是" if p else "否",
                p.name if p else "",
                p.get_org_type_display() if p else "",
                p.get_formation_display() if p else "",
                _date(p.founded_on) if p else "",
                p.secretary if p else "",
                "是" if i else "否",
                i.name if i else "",
                phone,
                i.workplace if i else "",
                _date(assignment.starts_on) if assignment else "",
            ]


def _party_orgs(ids: list[int], as_of: datetime.date) -> dict[int, CoverageLink]:
    """Each organization's covering link on `as_of`, by the engine's precedence."""
    best: dict[int, CoverageLink] = {}
    for _status, model, condition in engine.covering_conditions(as_of):
        if model is not CoverageLink:
            continue
        for link in (
            CoverageLink.objects.filter(condition, organization_id__in=ids)
            .select_related("party_org")
            .order_by("organization_id", "party_org__name")
        ):
            best.setdefault(link.organization_id, link)
    return best


def _instructors(ids: list[int], as_of: datetime.date) -> dict[int, Assignment]:
    best: dict[int, Assignment] = {}
    for assignment in (
        Assignment.objects.filter(engine.assignment_active_q(as_of), organization_id__in=ids)
        .select_related("instructor")
        .order_by("organization_id", "starts_on", "id")
    ):
        best.setdefault(assignment.organization_id, assignment)
    return best


def write(target: Any, queryset: QuerySet, *, viewer, as_of: datetime.date, counting=None) -> None:
    """The 摸排表 workbook; `counting` (a terminal's bar) sees each row go by."""
    lines = rows(queryset, viewer=viewer, as_of=as_of)
    write_xlsx(target, [("摸排表", HEADERS, counting(lines) if counting else lines)])


# ----------------------------------------------------------------------------- templates


def templates() -> dict[str, tuple[str, type[SheetImporter], dict[str, str]]]:
    """slug → (file title, importer, column notes): the combined 摸排表 and the two separate
    coverage sheets (the organizations template is the registry's)."""
    from liangxin.coverage.imports import InstructorImporter, LedgerImporter, PartyOrganizationImporter

    return {
        "ledger": ("两新组织党建摸排表导入模板", LedgerImporter, rules.COLUMN_NOTES | PARTY_NOTES),
        "party-organizations": ("党组织导入模板", PartyOrganizationImporter, PARTY_ORG_NOTES),
        "instructors": ("党建指导员导入模板", InstructorImporter, INSTRUCTOR_NOTES),
    }


PARTY_ORG_NOTES = {
    "name": "党组织全称，按名称匹配系统中已有的党组织（有则更新）",
    "org_type": "党委、党总支、党支部",
    "formation": "单独组建 或 联合组建",
    "codes": "所覆盖组织的统一社会信用代码，多个用顿号分隔；这些组织须已在两新组织台账中",
    "parent": "系统中的党组织名称；不在系统中的（乡镇党委、两新工委）按名称记录并给出警告",
    "founded_on": "日期，覆盖自成立日期起计算",
    "status": "正常 或 撤销",
    "dissolved_on": "状态为撤销时填写",
}
INSTRUCTOR_NOTES = {
    "name": "党建指导员（联络员）姓名；按姓名 + 联系电话匹配系统中的指导员",
    "phone": "11 位手机号或带区号的固定电话",
    "codes": "所指导组织的统一社会信用代码，多个用顿号分隔",
    "starts_on": "日期；留空为导入之日",
}


def write_template(target: Any, slug: str) -> str:
    """A blank template and its 填表说明 sheet (column, required, variants accepted, rules)."""
    title, importer, notes = templates()[slug]
    write_import_template(target, title, importer.spec, notes)
    return title
