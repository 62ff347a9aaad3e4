"""Registry import and list benchmarks (issues 3 and 11): rows/s and peak memory.

* a 1,000,000-row CSV: first import, then a re-import of the same file — into SQLite and into
  PostgreSQL (BENCH_PG, default postgres://postgres@127.0.0.1:5432, when it answers;
  BENCH_DATABASES=sqlite or =postgres for one of them);
* a 200,000-row .xlsx: first import;
* the first 20,000 rows through django-import-export (what a Django developer would reach for);
* plain sqlite3.executemany of already-validated tuples (the floor); on PostgreSQL, `COPY` of the
  imported rows into an empty copy of the organizations table, with and without its indexes;
* the organization list page with 1,000,000 rows and a region filter.

Sizes can be reduced for a quick look: BENCH_ROWS=100000 make bench.
"""

from __future__ import annotations

import csv
import os
import sqlite3
import time

from _setup_db import OUT, fresh_db, fresh_pg, postgres_available, run_child

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
XLSX_ROWS = int(os.environ.get("BENCH_XLSX_ROWS", str(min(200_000, ROWS))))
DIE_ROWS = int(os.environ.get("BENCH_DIE_ROWS", "20000"))
HEADERS = [
    "统一社会信用代码",
    "组织名称",
    "组织类别",
    "区县",
    "乡镇（街道）",
    "所属行业",
    "成立日期",
    "登记状态",
    "从业人员数",
    "正式党员数",
    "预备党员数",
    "是否规上",
    "重点标签",
    "地址",
    "联系人",
    "联系电话",
]


def generate_rows(count: int):
    """Valid organizations spread over 吉安市's townships (deterministic)."""
    import random

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
    django.setup()
    from liangxin.core.services import _region_rows
    from liangxin.core.tabular import compute_check_char

    townships = [
        (r["county_code"], r["code"], r["name"]) for r in _region_rows("3608") if r["level"] == "township"
    ]
    county_names = {r["code"]: r["name"] for r in _region_rows("3608") if r["level"] == "county"}
    rng = random.Random(7)
    sections = [
        ("C39", "科技有限公司"),
        ("F51", "商贸有限公司"),
        ("G60", "快递有限公司"),
        ("E47", "建设有限公司"),
        ("I64", "网络科技有限公司"),
        ("H62", "餐饮有限公司"),
    ]
    for i in range(1, count + 1):
        county, _, tname = townships[i % len(townships)]
        body = f"91{county}MA{i:07d}"[:17]
        industry, suffix = sections[i % len(sections)]
        yield [
            body + compute_check_char(body),
            f"吉安市{tname[:2]}{i}号{suffix}",
            "非公企业",
            county_names[county],
            tname,
            industry,
            f"20{rng.randint(0, 21):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "存续",
            rng.randint(1, 500),
            rng.choice([0, 0, 0, 1, 2, 3, 5]),
            0,
            rng.choice(["是", "否", "否"]),
            rng.choice(["", "", "", "快递", "专精特新“小巨人”"]),
            f"吉安市某路{i}号",
            "张先生",
            f"139{i:08d}",
        ]


def write_csv(path, count):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(generate_rows(count))


def write_xlsx_file(path, count):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("两新组织")
    sheet.write_row(0, 0, HEADERS)
    for r, row in enumerate(generate_rows(count), start=1):
        sheet.write_row(r, 0, row)
    book.close()


IMPORT_CODE = """
from liangxin.core import importing
from liangxin.core.importing import ImportContext, run_import
write, merge = importing._write, []  # the final transaction: what other users' writes may wait for

def timed_write(*args):
    started = time.perf_counter()
    write(*args)
    merge.append(time.perf_counter() - started)

importing._write = timed_write
t, cpu, load = time.perf_counter(), time.process_time(), os.getloadavg()[0]
report = run_import({path!r}, ImportContext(actor=None, filename={name!r}, source="command"))
s = report.sheets[0]
RESULT = {{"seconds": time.perf_counter() - t, "created": s.created, "updated": s.updated,
          "unchanged": s.unchanged, "rejected": s.rejected, "merge_s": sum(merge),
          "cpu_s": time.process_time() - cpu, "load": load}}
"""

DIE_CODE = """
import tablib
from import_export import resources, fields, widgets
from liangxin.core.models import Region
from liangxin.registry.models import Organization
regions = {{r.name: r for r in Region.objects.all()}}

class OrgResource(resources.ModelResource):
    credit_code = fields.Field(attribute="credit_code", column_name="统一社会信用代码")
    name = fields.Field(attribute="name", column_name="组织名称")
    region = fields.Field(attribute="region", column_name="乡镇（街道）",
                          widget=widgets.ForeignKeyWidget(Region, field="name"))
    employees = fields.Field(attribute="employees", column_name="从业人员数", widget=widgets.IntegerWidget())
    party_members = fields.Field(attribute="party_members", column_name="正式党员数", widget=widgets.IntegerWidget())
    founded_on = fields.Field(attribute="founded_on", column_name="成立日期", widget=widgets.DateWidget("%Y-%m-%d"))

    class Meta:
        model = Organization
        import_id_fields = ("credit_code",)
        fields = ("credit_code", "name", "region", "employees", "party_members", "founded_on")
        use_bulk = True
        batch_size = 1000

    def before_save_instance(self, instance, row, **kwargs):
        instance.kind = "enterprise"
        instance.copy_ancestor_codes(instance.region)

with open({path!r}, encoding="utf-8") as fh:
    data = tablib.Dataset().load(fh.read(), format="csv")
t = time.perf_counter()
result = OrgResource().import_data(data, dry_run=False, raise_errors=True)
RESULT = {{"seconds": time.perf_counter() - t, "rows": len(data), "created": result.totals["new"]}}
"""

LIST_CODE = """
from django.test import Client
from liangxin.accounts.models import User
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
user = User.objects.create(username="bench-office", role="office")
client = Client(); client.force_login(user)
# a finished login: the office's compulsory second factor passed
device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
session = client.session; session[DEVICE_ID_SESSION_KEY] = device.persistent_id; session.save()
timings = []
for i in range(7):
    t = time.perf_counter()
    response = client.get("/registry/organizations/?region=360802" + ("&page=3" if i % 2 else ""))
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    timings.append(time.perf_counter() - t)
timings.sort()
RESULT = {{"median_ms": timings[len(timings) // 2] * 1000, "max_ms": timings[-1] * 1000}}
"""


def floor_executemany(rows_path, count):
    db = OUT / "floor.sqlite3"
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE org (code TEXT UNIQUE, name TEXT, kind TEXT, county TEXT, township TEXT, industry TEXT,"
        " founded TEXT, status TEXT, employees INT, party INT, prob INT, above INT, tags TEXT, address TEXT,"
        " contact TEXT, phone TEXT)"
    )
    with open(rows_path, encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = [tuple(r) for r in reader]
    t = time.perf_counter()
    with conn:
        conn.executemany(f"INSERT INTO org VALUES ({','.join('?' * 16)})", rows)
    seconds = time.perf_counter() - t
    conn.close()
    return seconds


def floor_copy_pg(url: str) -> dict[str, float]:
    """PostgreSQL's floor: `COPY` of the rows the first import wrote (already valid, already
    typed) into an empty copy of `registry_organization`, with its indexes and without them (no
    foreign keys, no staging, no merge, no Python validation): what any import's rows/s on this
    server and machine stay below."""
    import psycopg

    seconds = {}
    with psycopg.connect(url) as conn:
        columns = [
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'registry_organization' "
                "ORDER BY ordinal_position"
            )
        ]
        names = ", ".join(columns)
        data = bytearray()  # the rows as COPY's text, so the timing is the server's alone
        with conn.cursor().copy(f"COPY registry_organization ({names}) TO STDOUT") as copy:
            for block in copy:
                data += block
        for label, including in (("with_indexes", "INCLUDING INDEXES"), ("heap_only", "")):
            conn.execute("DROP TABLE IF EXISTS bench_floor")
            conn.execute(
                f"CREATE TABLE bench_floor (LIKE registry_organization INCLUDING DEFAULTS {including})"
            )
            conn.commit()
            started = time.perf_counter()
            with conn.cursor().copy(f"COPY bench_floor ({names}) FROM STDIN") as copy:
                for start in range(0, len(data), 1 << 20):
                    copy.write(data[start : start + (1 << 20)])
            conn.commit()
            seconds[label] = time.perf_counter() - started
        conn.execute("DROP TABLE bench_floor")
        conn.commit()
    return seconds


def report(label, rows, seconds, peak_mb=None, merge_s=None, cpu_s=None, load=None):
    extra = f"，峰值内存 {peak_mb:,.0f} MB" if peak_mb else ""
    if merge_s is not None:
        extra += f"，其中最后的写入事务 {merge_s:.1f} s"
    if cpu_s is not None:  # on a shared machine CPU time is steadier than wall time
        extra += f"；导入进程 CPU {cpu_s:.1f} s，开始时负载 {load:.1f}"
    print(f"{label}: {rows:,} 行，{seconds:.1f} s，{rows / seconds:,.0f} 行/秒{extra}", flush=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    csv_path = OUT / f"orgs-{ROWS}.csv"
    if not csv_path.exists():
        t = time.perf_counter()
        write_csv(csv_path, ROWS)
        print(f"生成 {ROWS:,} 行 CSV：{time.perf_counter() - t:.1f} s")
    xlsx_path = OUT / f"orgs-{XLSX_ROWS}.xlsx"
    if not xlsx_path.exists():
        t = time.perf_counter()
        write_xlsx_file(xlsx_path, XLSX_ROWS)
        print(f"生成 {XLSX_ROWS:,} 行 xlsx：{time.perf_counter() - t:.1f} s")

    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
    databases = [("SQLite", fresh_db)] if "sqlite" in wanted else []
    if "postgres" in wanted:
        if postgres_available():
            databases.append(("PostgreSQL", fresh_pg))
        else:
            print("PostgreSQL 未连接（BENCH_PG），跳过 PostgreSQL 的导入测试")
    for label, fresh in databases:
        db = fresh("registry")
        first = run_child(db, IMPORT_CODE.format(path=str(csv_path), name=csv_path.name))
        assert first["created"] == ROWS and first["rejected"] == 0, first
        report(
            f"{label}：CSV 首次导入",
            ROWS,
            first["seconds"],
            first["peak_mb"],
            first["merge_s"],
            first["cpu_s"],
            first["load"],
        )
        again = run_child(db, IMPORT_CODE.format(path=str(csv_path), name=csv_path.name))
        assert again["unchanged"] == ROWS, again
        report(
            f"{label}：CSV 重复导入（无变化）",
            ROWS,
            again["seconds"],
            again["peak_mb"],
            again["merge_s"],
            again["cpu_s"],
            again["load"],
        )
        if label == "PostgreSQL":
            floor = floor_copy_pg(db)
            report(
                "PostgreSQL 下限：COPY 已校验的行到组织表的空副本（含全部索引，无外键）",
                ROWS,
                floor["with_indexes"],
            )
            report("PostgreSQL 下限：同上，不含索引", ROWS, floor["heap_only"])
        listing = run_child(db, LIST_CODE.format())
        print(
            f"{label}：台账列表页（{ROWS:,} 个组织，按区县筛选）："
            f"中位数 {listing['median_ms']:.0f} ms，最慢 {listing['max_ms']:.0f} ms"
        )
    if "sqlite" not in wanted:
        return

    xdb = fresh_db("registry-xlsx")
    xlsx = run_child(xdb, IMPORT_CODE.format(path=str(xlsx_path), name=xlsx_path.name))
    assert xlsx["created"] == XLSX_ROWS, xlsx
    report("SQLite：xlsx 首次导入", XLSX_ROWS, xlsx["seconds"], xlsx["peak_mb"])

    die_csv = OUT / f"orgs-{DIE_ROWS}.csv"
    if not die_csv.exists():
        write_csv(die_csv, DIE_ROWS)
    ours = run_child(fresh_db("registry-small"), IMPORT_CODE.format(path=str(die_csv), name=die_csv.name))
    report("本系统导入（同样的前 20,000 行）", DIE_ROWS, ours["seconds"], ours["peak_mb"])
    try:
        die = run_child(fresh_db("registry-die"), DIE_CODE.format(path=str(die_csv)))
    except RuntimeError as exc:
        print(f"django-import-export 未能运行：{str(exc).splitlines()[-1]}")
    else:
        report("django-import-export", die["rows"], die["seconds"], die["peak_mb"])
        print(
            f"本系统是 django-import-export 的 {(DIE_ROWS / ours['seconds']) / (die['rows'] / die['seconds']):.0f} 倍"
        )
    floor = floor_executemany(csv_path, ROWS)
    report("下限：sqlite3.executemany（已校验的元组）", ROWS, floor)


if __name__ == "__main__":
    main()
