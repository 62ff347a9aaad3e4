"""Coverage engine benchmark (issue 4): 1,000,000 organizations and 150,000 party organizations
in a temporary SQLite database under /tmp.

Prints, in seconds: the city's coverage table by county (target ≤ 1 s), by township of one
county, by industry and by kind; the drill-down page of a county (target ≤ 300 ms); and the
same figures computed in memory from the same rows by pandas (or, without pandas, plain
Python) as the reference speed, checking that the numbers are identical.

Runs in a child process with its own database, so it does not disturb other benchmarks.
Smaller for a quick look: BENCH_COVERAGE_ORGS=100000 make bench. BENCH_COVERAGE_DIR=/tmp/somewhere
keeps the generated database there and reuses it on the next run (same size).
"""

from __future__ import annotations

import datetime
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup_db import logged_in

ORGS = int(os.environ.get("BENCH_COVERAGE_ORGS", "1000000"))
PARTY_ORGS = ORGS * 15 // 100
AS_OF = datetime.date(2022, 5, 31)
HERE = Path(__file__).resolve()


def main() -> None:
    reuse = os.environ.get("BENCH_COVERAGE_DIR")  # keep the generated data between runs
    workdir = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="lx_bench_coverage_", dir="/tmp"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        LIANGXIN_VAR_DIR=str(workdir),
        DJANGO_SETTINGS_MODULE="liangxin.settings",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        DEBUG="0",
    )
    try:
        subprocess.run([sys.executable, str(HERE), "--child"], env=env, check=True)
    finally:
        if not os.environ.get("BENCH_KEEP_DB") and not reuse:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"数据库保留在 {workdir}")


def _timed(fn, repeat: int = 5) -> tuple[float, float, object]:
    """(median wall seconds, median CPU seconds of this process, the last result). On a shared
    machine the wall time includes waiting for a core; the CPU time is the work itself."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus), result


def _line(label: str, target: float | None, wall: float, cpu: float, unit: str = "s") -> str:
    """One figure: target, measured median (wall clock and CPU), and whether it meets the target."""
    scale, places = (1000, 0) if unit == "ms" else (1, 3)
    measured = f"实测 {wall * scale:.{places}f} {unit}（CPU {cpu * scale:.{places}f} {unit}）"
    if target is None:
        return f"  {label}：{measured}"
    verdict = "达标" if wall <= target else "未达标"
    return f"  {label}：目标 ≤ {target * scale:g} {unit}，{measured}，{verdict}"


def _generate(rng: random.Random) -> None:
    from django.db import connection, transaction

    from liangxin.core.models import Region
    from liangxin.core.tabular import compute_check_char
    from liangxin.registry.models import Organization

    townships = list(
        Region.objects.filter(level="township").values_list("pk", "code", "county_code", "city_code")
    )
    province = Region.objects.get(level="province").code
    sections = "CCCCFFFFEEGGHHIIKLMAO"
    fields = [f for f in Organization._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    sql = f"INSERT INTO registry_organization ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    now = datetime.datetime(2022, 6, 1, tzinfo=datetime.UTC)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:  # one commit, not one per row
        batch = []
        for i in range(1, ORGS + 1):
            region_id, township, county, city = townships[i % len(townships)]
            body = f"91{county}M{i:08d}"
            status = "active" if rng.random() < 0.93 else rng.choice(("cancelled", "revoked", "moved_out"))
            members = rng.choices((0, 1, 2, 3, 5, 12, 60), weights=(55, 12, 8, 10, 8, 5, 2))[0]
            values = {
                "credit_code": body + compute_check_char(body),
                "name": f"基准测试{i}有限公司",
                "kind": "enterprise" if i % 9 else "social",
                "region_id": region_id,
                "area_id": None,
                "industry_id": None,
                "industry_section": sections[i % len(sections)],
                "industry_detail": "",
                "founded_on": datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randrange(8400)),
                "status": status,
                "employees": rng.randrange(1, 200),
                "party_members": members,
                "probationary_members": 0,
                "above_scale": i % 17 == 0,
                "supervising_unit_id": None,
                "address": "",
                "contact": "",
                "phone": "",
                "created_at": now,
                "updated_at": now,
                "import_batch_id": None,
                "province_code": province,
                "city_code": city,
                "county_code": county,
                "township_code": township,
            }
            batch.append([values[f.attname] if f.attname in values else f.get_default() for f in fields])
            if len(batch) == 20000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    print(f"生成 {ORGS:,} 个组织：{time.perf_counter() - started:.1f} s", flush=True)


def _generate_coverage(rng: random.Random) -> None:
    from django.db import connection, transaction

    from liangxin.registry.models import Organization

    started = time.perf_counter()
    rows = list(Organization.objects.order_by("pk").values_list("pk", "party_members", "region_id", "province_code",
                                                                 "city_code", "county_code", "township_code"))  # fmt: skip
    big = [r for r in rows if r[1] >= 3]
    small = [r for r in rows if r[1] < 3]
    party, links = [], []
    single_count = min(len(big), PARTY_ORGS * 2 // 3)
    for n, r in enumerate(rng.sample(big, single_count), start=1):
        party.append((f"基准单独党支部{n}", "branch", "single", r))
        links.append((len(party), [r[0]]))
    n = 0
    while len(party) < PARTY_ORGS and small:
        n += 1
        group = [small.pop(rng.randrange(len(small))) for _ in range(min(3, len(small)))]
        party.append((f"基准联合党支部{n}", "branch", "joint", group[0]))
        links.append((len(party), [g[0] for g in group]))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO coverage_partyorganization (name, org_type, formation, region_id, secretary, founded_on,"
            " recorded_on, status, dissolved_on, province_code, city_code, county_code, township_code,"
            " created_at, updated_at, external_parent_name, secretary_dispatched, secretary_sent_by)"
            " VALUES (%s, %s, %s, %s, '', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', %s, '')",
            [
                (name, kind, formation, r[2], founded, founded, status, dissolved, *r[3:], now, now, False)
                for name, kind, formation, r in party
                for founded in [datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(2900))]
                for dissolved in [founded + datetime.timedelta(days=400) if rng.random() < 0.03 else None]
                for status in ["dissolved" if dissolved else "active"]
                for now in [datetime.datetime(2022, 6, 1, tzinfo=datetime.UTC)]
            ],
        )
        cursor.execute("SELECT MIN(id) FROM coverage_partyorganization")
        first = cursor.fetchone()[0]
        cursor.executemany(
            "INSERT INTO coverage_coveragelink (party_org_id, organization_id) VALUES (%s, %s)",
            [(first + index - 1, org) for index, orgs in links for org in orgs],
        )
        cursor.execute(
            "INSERT INTO coverage_instructor (name, phone, workplace, region_id, province_code, city_code,"
            " county_code, township_code, created_at) SELECT '基准指导员' || id, '1390000' || id, '', region_id,"
            " province_code, city_code, county_code, township_code, created_at FROM coverage_partyorganization"
            " WHERE id < %s",
            [first + ORGS // 100],
        )
        cursor.execute("SELECT MIN(id), COUNT(*) FROM coverage_instructor")
        first_instructor, instructors = cursor.fetchone()
        cursor.executemany(
            "INSERT INTO coverage_assignment (instructor_id, organization_id, starts_on) VALUES (%s, %s, %s)",
            [
                (first_instructor + rng.randrange(instructors), r[0],
                 datetime.date(2018, 1, 1) + datetime.timedelta(days=rng.randrange(1800)))
                for r in rng.sample(small, min(len(small), ORGS // 10))
            ],
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"生成党组织 {len(party):,} 个、覆盖关系 {sum(len(o) for _, o in links):,} 条、"
        f"指导员 {instructors:,} 名：{time.perf_counter() - started:.1f} s",
        flush=True,
    )


def _read_rows() -> tuple[float, list, list, list]:
    """The rows the figures come from, read once into memory (organizations, links, assignments)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, county_code, kind, status, founded_on, party_members FROM registry_organization"
        )
        orgs = cursor.fetchall()
        cursor.execute(
            "SELECT l.organization_id, p.formation, l.starts_on, l.ends_on, p.founded_on, p.recorded_on,"
            " p.status, p.dissolved_on FROM coverage_coveragelink l JOIN coverage_partyorganization p"
            " ON p.id = l.party_org_id"
        )
        links = cursor.fetchall()
        cursor.execute("SELECT organization_id, starts_on, ends_on FROM coverage_assignment")
        assignments = cursor.fetchall()
    return time.perf_counter() - started, orgs, links, assignments


def _pandas_figures(orgs: list, links: list, assignments: list) -> dict[str, dict[str, int]]:
    """domain.md §4 by county, written again with pandas over the rows in memory: the reference
    the engine's SQL must equal, and the speed to compare it with."""
    import pandas as pd

    d = AS_OF.isoformat()  # the rows hold ISO dates; strings compare like dates
    o = pd.DataFrame(orgs, columns=["id", "county", "kind", "status", "founded", "members"])
    lk = pd.DataFrame(
        links, columns=["org", "formation", "starts", "ends", "founded", "recorded", "pstatus", "dissolved"]
    )
    a = pd.DataFrame(assignments, columns=["org", "starts", "ends"])
    for frame, cols in (
        (o, ["founded"]),
        (lk, ["starts", "ends", "founded", "recorded", "dissolved"]),
        (a, ["starts", "ends"]),
    ):
        for col in cols:
            frame[col] = frame[col].astype("string")
    o = o[
        o.kind.isin(["enterprise", "social"])
        & o.status.isin(["active", "operating"])
        & (o.founded.isna() | (o.founded <= d))
    ]
    begun = lk.founded.fillna(lk.recorded) <= d
    alive = (lk.dissolved.isna() & (lk.pstatus == "active")) | (lk.dissolved > d)
    running = (lk.starts.isna() | (lk.starts <= d)) & (lk.ends.isna() | (lk.ends > d))
    active = lk[(begun & alive & running).fillna(False)]
    single = active[active.formation == "single"].org
    joint = active[active.formation == "joint"].org
    work = a[((a.starts <= d) & (a.ends.isna() | (a.ends > d))).fillna(False)].org
    status = pd.Series("none", index=o.index)
    status[o.id.isin(work)] = "work"
    status[o.id.isin(joint)] = "joint"
    status[o.id.isin(single)] = "single"
    o = o.assign(cov=status, sb=(o.members >= 3) & (status != "single"))
    grouped = o.groupby(["county", "cov"]).size().unstack(fill_value=0)
    should = o.groupby("county").sb.sum()
    return {
        county: {k: int(grouped.loc[county].get(k, 0)) for k in ("single", "joint", "work", "none")}
        | {"should_build": int(should[county])}
        for county in grouped.index
    }


def child() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from liangxin.accounts.models import User
    from liangxin.core.models import Region
    from liangxin.core.services import setup_installation
    from liangxin.coverage import engine
    from liangxin.registry.models import Organization

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
    call_command("migrate", verbosity=0)
    if not Organization.objects.exists():
        setup_installation("360800")
        rng = random.Random(4)
        _generate(rng)
        _generate_coverage(rng)
    city = Region.objects.get(code="360800")
    county = Region.objects.get(code="360802")
    orgs = Organization.objects.all()
    print(
        f"截至 {AS_OF}，{ORGS:,} 个组织、{PARTY_ORGS:,} 个党组织（SQLite {connection.Database.sqlite_version}，"
        f"{os.cpu_count()} 核，开始时系统负载 {', '.join(f'{x:.1f}' for x in os.getloadavg())}；"
        "实测为 5 次的中位数）：",
        flush=True,
    )
    by_county = None
    for label, target, kwargs in [
        ("全市按县（市、区）", 1.0, {"region": city}),
        ("吉州区按乡镇（街道）", None, {"region": county}),
        ("全市按行业门类", None, {"region": city, "by": "industry"}),
        ("全市按组织类别", None, {"region": city, "by": "kind"}),
        ("全市按县，“三有”范围", None, {"region": city, "scope": "三有"}),
    ]:
        wall, cpu, table = _timed(lambda kwargs=kwargs: engine.coverage(orgs, as_of=AS_OF, **kwargs))
        by_county = by_county or table
        print(_line(label, target, wall, cpu), flush=True)
    office, _ = User.objects.get_or_create(username="bench_office", defaults={"role": "office"})
    client = logged_in(Client(), office)
    url = f"/coverage/overview/?region=360802&as_of={AS_OF}"
    assert client.get(url).status_code == 200, url
    from django.core.cache import cache

    def cold():  # the tables computed, not read from the figure cache
        cache.clear()
        return client.get(url)

    wall, cpu, _ = _timed(cold)
    print(_line("县级下钻页面（吉州区，未缓存）", 0.3, wall, cpu, "ms"), flush=True)
    wall, cpu, _ = _timed(lambda: client.get(url))
    print(_line("县级下钻页面（吉州区，数据未变再次打开，读缓存）", None, wall, cpu, "ms"), flush=True)

    read, *rows = _read_rows()
    try:
        wall, cpu, reference = _timed(lambda: _pandas_figures(*rows), repeat=3)
    except ImportError:
        raise SystemExit("未安装 pandas，无法做参照计算：make bench 会安装 bench 附加依赖") from None
    print(
        _line("pandas 参照（同一批行已读入内存，3 次中位数）", None, wall, cpu)
        + f"；读取这些行 {read:.1f} s",
        flush=True,
    )
    ours = {
        r.code: {k: getattr(r, k) for k in (*engine.STATUSES, "should_build")}
        for r in by_county.rows
        if r.total
    }
    if ours != reference:
        for code in sorted(set(ours) | set(reference)):
            if ours.get(code) != reference.get(code):
                print(f"  ✗ {code}：引擎 {ours.get(code)}，pandas {reference.get(code)}", file=sys.stderr)
        raise SystemExit("覆盖率引擎与 pandas 参照计算的结果不一致！")
    print(f"  与 pandas 参照结果完全一致（{len(ours)} 个县 × 单独/联合/工作/未覆盖/应建未建）", flush=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main()
