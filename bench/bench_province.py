"""A province on one PostgreSQL server (issue 18, docs/scale.md): every city of 江西省 loaded into
the region tree, N organizations (default 5,000,000) spread over all its townships, written with
COPY, about a quarter of them covered by party organizations, some by instructors; then the coverage
roll-up through the coverage engine (the same function the pages, bulletin and API call): by
city across the province and by county, as of a day and as of a past date.

Printed: COPY rows/s, party organizations and links written, and each roll-up's median wall and
CPU time of 3. The figures are checked: the province's total equals the sum of its cities'.
Then by township (the whole province, and one county through the engine's own table), and the
city office's organization list (first page, a county's third page, a name search) and cockpit
(page and each chart's data) over the province's table: first load and median of 3 more.

Full size (several GB of disk, about an hour on 2 busy cores):
    BENCH_PROVINCE_ORGS=5000000 .venv/bin/python bench/run.py bench_province
Here, on a shared machine:
    BENCH_PROVINCE_ORGS=100000 .venv/bin/python bench/run.py bench_province
BENCH_PG (default postgres://postgres@127.0.0.1:5432) names the server; the database
`lx_bench_province` is dropped and made again.
"""

from __future__ import annotations

import datetime
import importlib.util
import io
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ORGS = int(os.environ.get("BENCH_PROVINCE_ORGS", "5000000"))
PROVINCE = "36"  # 江西省
AS_OF = datetime.date(2024, 6, 30)
PAST = datetime.date(2021, 12, 31)


def _setup_db():
    spec = importlib.util.spec_from_file_location("_setup_db", HERE.parent / "_setup_db.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    setup_db = _setup_db()
    if not setup_db.postgres_available():
        print("PostgreSQL 无响应：跳过省级基准", flush=True)
        return
    url = setup_db.fresh_pg("province")
    env = setup_db.env_for(url) | {"DJANGO_SETTINGS_MODULE": "liangxin.settings"}
    subprocess.run([sys.executable, str(HERE), "--child"], env=env, check=True)


def _timed(fn, repeat: int = 3):
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus), result


def _load_province() -> list[tuple]:
    """Every city of the province in the region tree (the installation is one of them)."""
    from liangxin.core.models import Region
    from liangxin.core.services import SetupReport, _data_rows, _region_rows, load_regions

    report = SetupReport()
    for row in _data_rows("division", "cities.csv"):
        if row["provinceCode"] == PROVINCE:
            load_regions(row["code"], _region_rows(row["code"]), report)
    return list(Region.objects.filter(level="township").values_list("pk", "code", "county_code", "city_code"))


def _copy_organizations(townships: list[tuple], rng: random.Random) -> float:
    from django.db import connection

    from liangxin.core.tabular import compute_check_char
    from liangxin.registry.models import Organization

    fields = [f for f in Organization._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    province = f"{PROVINCE}0000"
    now = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    started = time.perf_counter()
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY registry_organization ({columns}) FROM STDIN") as copy:
            for i in range(1, ORGS + 1):
                region_id, township, county, city = townships[i % len(townships)]
                body = f"91{county}M{i:08d}"
                members = rng.choices((0, 1, 2, 3, 5, 12, 60), weights=(55, 12, 8, 10, 8, 5, 2))[0]
                values = {
                    "credit_code": body + compute_check_char(body),
                    "name": f"省级基准{i}有限公司",
                    "kind": "enterprise" if i % 9 else "social",
                    "region_id": region_id,
                    "industry_section": "CFEGHIKLMAO"[i % 11],
                    "founded_on": datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randrange(8900)),
                    "status": "active" if rng.random() < 0.93 else "cancelled",
                    "employees": rng.randrange(1, 200),
                    "party_members": members,
                    "probationary_members": 0,
                    "above_scale": i % 17 == 0,
                    "created_at": now,
                    "updated_at": now,
                    "province_code": province,
                    "city_code": city,
                    "county_code": county,
                    "township_code": township,
                }
                copy.write_row(
                    [values[f.attname] if f.attname in values else f.get_default() for f in fields]
                )
    connection.connection.commit()
    return time.perf_counter() - started


COVER_SQL = [
    # 单独组建: two in three organizations with 3+ members, each its own branch (id = the org's).
    """INSERT INTO coverage_partyorganization (id, name, org_type, formation, region_id, secretary, founded_on,
       recorded_on, status, province_code, city_code, county_code, township_code, created_at, updated_at,
       external_parent_name, secretary_dispatched, secretary_sent_by)
       SELECT id, '单独党支部' || id, 'branch', 'single', region_id, '', DATE '2016-01-01' + (id % 2500)::int,
       DATE '2016-01-01' + (id % 2500)::int, 'active', province_code, city_code, county_code, township_code,
       now(), now(), '', false, '' FROM registry_organization WHERE party_members >= 3 AND id % 3 <> 0""",
    "INSERT INTO coverage_coveragelink (party_org_id, organization_id) SELECT id, id FROM coverage_partyorganization",
    # 联合组建: one joint branch for every 8th organization with fewer than 3 members, covering it
    # and the next two such organizations.
    """INSERT INTO coverage_partyorganization (id, name, org_type, formation, region_id, secretary, founded_on,
       recorded_on, status, province_code, city_code, county_code, township_code, created_at, updated_at,
       external_parent_name, secretary_dispatched, secretary_sent_by)
       SELECT id, '联合党支部' || id, 'branch', 'joint', region_id, '', DATE '2018-01-01' + (id % 2000)::int,
       DATE '2018-01-01' + (id % 2000)::int, 'active', province_code, city_code, county_code, township_code,
       now(), now(), '', false, '' FROM registry_organization WHERE party_members < 3 AND id % 8 = 0""",
    """INSERT INTO coverage_coveragelink (party_org_id, organization_id)
       SELECT p.id, o.id FROM coverage_partyorganization p JOIN registry_organization o
       ON o.id BETWEEN p.id AND p.id + 2 AND o.party_members < 3 WHERE p.formation = 'joint'""",
    "SELECT setval(pg_get_serial_sequence('coverage_partyorganization', 'id'), "
    "(SELECT max(id) FROM coverage_partyorganization))",
    # 工作覆盖: one instructor per 100 organizations, each assigned to two uncovered ones.
    """INSERT INTO coverage_instructor (name, phone, workplace, region_id, province_code, city_code, county_code,
       township_code, created_at) SELECT '指导员' || id, '', '', region_id, province_code, city_code, county_code,
       township_code, now() FROM registry_organization WHERE id % 100 = 1""",
    """INSERT INTO coverage_assignment (instructor_id, organization_id, starts_on)
       SELECT i.id, o.id, DATE '2019-01-01' FROM coverage_instructor i
       JOIN registry_organization o ON o.id IN (CAST(substr(i.name, 4) AS bigint) + 5,
       CAST(substr(i.name, 4) AS bigint) + 6) AND o.party_members < 3""",
    "ANALYZE",
]


def child() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from liangxin.core.models import Region
    from liangxin.coverage import engine
    from liangxin.registry.models import Organization

    call_command("setup", "--city", "360800", stdout=io.StringIO())
    townships = _load_province()
    cities = Region.objects.filter(level="city").count()
    print(f"{cities} 个地级市、{len(townships):,} 个乡镇（街道）", flush=True)
    seconds = _copy_organizations(townships, random.Random(18))
    print(f"COPY 写入 {ORGS:,} 个组织：{seconds:.1f} s，{ORGS / seconds:,.0f} 行/秒", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in COVER_SQL:
            cursor.execute(sql)
        cursor.execute("SELECT count(*) FROM coverage_partyorganization")
        party = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM coverage_coveragelink")
        links = cursor.fetchone()[0]
    print(f"党组织 {party:,} 个、覆盖关系 {links:,} 条：{time.perf_counter() - started:.1f} s", flush=True)

    everyone = Organization.objects.all()
    kinds = {"市": "city_code", "县": "county_code", "乡镇": "township_code"}
    county = Region.objects.get(code="360802")
    for label, as_of in (("当日", AS_OF), ("历史日期", PAST)):
        whole = engine.coverage(everyone, as_of=as_of, by="kind").total  # the engine's own total
        for level, column in kinds.items():
            # The engine's grouped count (one query) over the province's rows, by a region column.
            def rollup(d=as_of, column=column):
                in_scope = engine._narrowed(everyone, None, None, d, engine.parse_scope("all"))
                return engine._counts(in_scope, (column,), d, False)

            wall, cpu, counts = _timed(rollup)
            assert sum(f.total for f in counts.values()) == whole.total, "各地合计应等于全省在册数"
            assert sum(f.single + f.joint for f in counts.values()) == whole.single + whole.joint
            print(f"  全省按{level}（{label} {as_of}，{len(counts)} 个{level}）：{wall:.2f} s（CPU {cpu:.2f} s）；"
                  f"在册 {whole.total:,}，组织覆盖率 {whole.pct(whole.covered)}%", flush=True)  # fmt: skip
        wall, cpu, table = _timed(lambda d=as_of: engine.coverage(everyone, as_of=d, region=county))
        print(f"  吉州区按乡镇（{label} {as_of}，{len(table.rows)} 行，coverage 引擎）：{wall:.2f} s（CPU {cpu:.2f} s）",
              flush=True)  # fmt: skip
    _pages(AS_OF)


def _pages(as_of: datetime.date) -> None:
    """The city office's organization list and cockpit over the province's table: the office sees
    its own city (the installation), but every query runs against all N rows."""
    from django.test import Client

    from liangxin.accounts.models import User
    from liangxin.dashboard.queries import CHARTS

    logged_in = _setup_db().logged_in
    office, _ = User.objects.get_or_create(username="bench_province", defaults={"role": "office"})
    client = logged_in(Client(), office)
    urls = {
        "组织名录（首页）": "/registry/organizations/",
        "组织名录（吉州区，第 3 页）": "/registry/organizations/?region=360802&page=3",
        "组织名录（按名称搜索）": "/registry/organizations/?q=%E7%9C%81%E7%BA%A7%E5%9F%BA%E5%87%8612345",
        "驾驶舱页面": f"/cockpit/?as_of={as_of}",
        **{
            f"驾驶舱数据 {chart}": f"/cockpit/data/{chart}.json?as_of={as_of}" for chart in [*CHARTS, "tiles"]
        },
    }
    for label, url in urls.items():
        first = time.perf_counter()
        response = client.get(url)
        first = time.perf_counter() - first
        assert response.status_code == 200, (url, response.status_code)
        wall, cpu, _ = _timed(lambda url=url: client.get(url))
        print(f"  {label}：首次 {first:.2f} s，再次中位 {wall:.2f} s（CPU {cpu:.2f} s）", flush=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main()
