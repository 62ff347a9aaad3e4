"""The combined 摸排表 (issue 21): one row per organization with its party organization and its
instructor. A first import, a re-import of the same file (which must change nothing), and a
later sheet in which every 单独组建 branch has a new secretary (each of those rows `updated`), on
SQLite and, when it answers, PostgreSQL.

The organizations go through the registry's staged merge; new party organizations and
instructors are inserted in bulk, changes to existing ones written set-wise
(`coverage/ledger_merge.py`); a re-import reads in bulk and writes nothing.

The sheet: 20% 单独组建 (each its own branch), 20% 联合组建 (4 organizations of a township per
joint branch), 20% with an instructor (one per 10 organizations), the rest uncovered.
Default 20,000 rows (BENCH_LEDGER_ROWS); BENCH_DATABASES=sqlite or =postgres for one of them.
"""

from __future__ import annotations

import os

from _setup_db import OUT, fresh_db, fresh_pg, postgres_available, run_child
from bench_registry import HEADERS, generate_rows, report

ROWS = int(os.environ.get("BENCH_LEDGER_ROWS", "20000"))
PARTY_HEADERS = ["是否建立党组织", "党组织名称", "组建方式", "党组织成立时间", "党组织书记",
                 "是否选派党建指导员", "党建指导员姓名", "指导员联系电话", "派驻日期"]  # fmt: skip
MEMBERS = HEADERS.index("正式党员数")


def ledger_rows(count: int, secretary: str = "书记"):
    for i, row in enumerate(generate_rows(count), start=1):
        kind = i % 5
        if kind == 0:
            row[MEMBERS] = 3 + i % 7
            party = [
                "是",
                f"中共{row[1]}支部委员会",
                "单独组建",
                "2020-07-01",
                f"{secretary}{i}",
                "否",
                "",
                "",
                "",
            ]
        elif kind == 1:
            party = ["是", f"{row[4]}第{i // 20}联合党支部", "联合组建", "2021-03-01", "", "否", "", "", ""]
        elif kind == 2:
            n = i // 50
            party = ["否", "", "", "", "", "是", f"指导员{n}", f"137{n:08d}", "2022-01-01"]
        else:
            party = ["否", "", "", "", "", "否", "", "", ""]
        yield [*row, *party]


def write_xlsx_file(path, count, secretary: str = "书记"):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("摸排表")
    sheet.write_row(0, 0, [*HEADERS, *PARTY_HEADERS])
    for r, row in enumerate(ledger_rows(count, secretary), start=1):
        sheet.write_row(r, 0, row)
    book.close()


IMPORT_CODE = """
from liangxin.core.importing import ImportContext, run_import
t = time.perf_counter()
report = run_import({path!r}, ImportContext(actor=None, filename="摸排表.xlsx", source="command"))
s = report.sheets[0]
RESULT = {{"seconds": time.perf_counter() - t, "type": s.type, "created": s.created, "updated": s.updated,
          "unchanged": s.unchanged, "rejected": s.rejected, "warnings": len(s.warnings)}}
"""


def main() -> None:
    # 25 columns × 200,000 rows passes the default LIANGXIN_IMPORT_MAX_CELLS (4,000,000): a city's
    # whole 摸排表 in one file needs the limit raised (README), as set here for the child imports.
    os.environ.setdefault("LIANGXIN_IMPORT_MAX_CELLS", str(max(4_000_000, (ROWS + 1) * 30)))
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"ledger-{ROWS}.xlsx"
    if not path.exists():
        write_xlsx_file(path, ROWS)
    changed = OUT / f"ledger-{ROWS}-new-secretaries.xlsx"
    if not changed.exists():
        write_xlsx_file(changed, ROWS, secretary="新书记")
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
    databases = [("SQLite", fresh_db)] if "sqlite" in wanted else []
    if "postgres" in wanted and postgres_available():
        databases.append(("PostgreSQL", fresh_pg))
    for label, fresh in databases:
        db = fresh("ledger")
        first = run_child(db, IMPORT_CODE.format(path=str(path)))
        assert first["type"] == "ledger" and first["created"] == ROWS and first["rejected"] == 0, first
        report(f"{label}：摸排表首次导入", ROWS, first["seconds"], first["peak_mb"])
        again = run_child(db, IMPORT_CODE.format(path=str(path)))
        assert again["unchanged"] == ROWS and again["updated"] == 0, again
        report(f"{label}：摸排表重复导入（无变化）", ROWS, again["seconds"], again["peak_mb"])
        later = run_child(db, IMPORT_CODE.format(path=str(changed)))
        assert later["updated"] == ROWS // 5 and later["rejected"] == 0, later
        report(
            f"{label}：摸排表再次导入（{ROWS // 5:,} 个党支部换书记）",
            ROWS,
            later["seconds"],
            later["peak_mb"],
        )
