"""Cockpit benchmark (issues 6 and 12): loading /cockpit/ — the HTML and every data request the page
makes (/cockpit/data/<chart>.json, one per chart, and tiles.json for the headline tiles), for the
May 2022 period as of 2022-05-31 — on the demo data and with 1,000,000 organizations (target ≤ 1 s
for both).

Four loads are timed: the first load after the data changed once the task worker has computed
the tables (what `dashboard.warm` does after every change; its own time is printed too), the
same without that warm-up (no cached tables, no published bulletins: the line's 12 month-ends
are computed), the same with the 11 earlier months published
(the line reads their bulletins, as it does once the office publishes every month), and a load
while the tables are cached; each with the chart requests sent together, as cockpit.js does
(the page load a user waits for), and one after the other (the server's whole work). Medians of
3 (cold: cache cleared before each), wall clock and the CPU time of the process.

Each data set lives in a throwaway SQLite database under bench/out/, built in a child process.
Smaller for a quick look: BENCH_DASHBOARD_ORGS=100000 make bench. BENCH_DASHBOARD_DIR=/tmp/x keeps
the generated databases there and reuses them on the next run (same size).
"""

from __future__ import annotations

import datetime
import importlib.util
import io
import os
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ORGS = int(os.environ.get("BENCH_DASHBOARD_ORGS", "1000000"))
HERE = Path(__file__).resolve()
OUT = HERE.parent / "out"
AS_OF = "2022-05-31"


def main() -> None:
    reuse = os.environ.get("BENCH_DASHBOARD_DIR")
    for kind in ("demo", "million"):
        workdir = Path(reuse) / kind if reuse else OUT / f"dashboard_{kind}"
        if not reuse:
            shutil.rmtree(workdir, ignore_errors=True)
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
            subprocess.run([sys.executable, str(HERE), "--child", kind], env=env, check=True)
        finally:
            if not os.environ.get("BENCH_KEEP_DB") and not reuse:
                shutil.rmtree(workdir, ignore_errors=True)


def _coverage_bench():
    spec = importlib.util.spec_from_file_location("bench_coverage", HERE.with_name("bench_coverage.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.ORGS, module.PARTY_ORGS = ORGS, ORGS * 15 // 100
    return module


def _measure(load, *, cold: bool, repeat: int = 3) -> tuple[float, float, dict[str, float]]:
    """(median wall s, median CPU s, the wall time of each request of the median run)."""
    from django.core.cache import cache

    runs = []
    for _ in range(repeat):
        if cold:
            cache.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        each = load()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu, each))
    runs.sort(key=lambda run: run[0])
    return runs[len(runs) // 2][0], statistics.median(run[1] for run in runs), runs[len(runs) // 2][2]


def _publish_earlier_months(as_of: datetime.date) -> int:
    """Store published bulletins for the 11 month-ends before `as_of`, with the coverage figures
    the engine gives (what `liangxin bulletin --publish` would have frozen each month)."""
    from liangxin.coverage import engine
    from liangxin.dashboard.queries import month_ends
    from liangxin.documents.bulletin import BulletinData, CoverageRow, OverallFigures
    from liangxin.documents.models import Bulletin
    from liangxin.documents.serialize import bulletin_to_json
    from liangxin.registry.models import Organization

    def row(f: engine.Figures) -> CoverageRow:
        return CoverageRow(f.name, f.total, f.org_rate, f.single_rate, f.work_rate, f.should_build, f.none)

    days = month_ends(as_of)[:-1]
    for day, table in zip(days, engine.coverage_tables(Organization.objects.all(), dates=days), strict=True):
        data = BulletinData(
            year=day.year, month=day.month, as_of=day, issuer="基准测试", issue_date=day,
            overall=OverallFigures(0, 0, 0, 0, 0, 0, 0, 0), coverage=[row(r) for r in table.rows],
            coverage_total=row(table.total), tasks=[],
        )  # fmt: skip
        Bulletin.objects.update_or_create(
            period=f"{day:%Y-%m}",
            defaults={"as_of": day, "status": "published", "snapshot": bulletin_to_json(data)},
        )
    return len(days)


def _line(label: str, target: float, wall: float, cpu: float) -> str:
    verdict = "达标" if wall <= target else "未达标"
    return f"  {label}：目标 ≤ {target:.0f} s，实测 {wall:.3f} s（CPU {cpu:.3f} s），{verdict}"


def child(kind: str) -> None:
    import random

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client

    from liangxin.accounts.models import User
    from liangxin.core.services import setup_installation
    from liangxin.dashboard.queries import CHARTS
    from liangxin.documents.models import Bulletin
    from liangxin.registry.models import Organization

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
    call_command("migrate", verbosity=0)
    if not Organization.objects.exists():
        setup_installation("360800")
        if kind == "demo":
            call_command("demo", stdout=io.StringIO())
        else:
            module = _coverage_bench()
            rng = random.Random(6)
            module._generate(rng)
            module._generate_coverage(rng)
    Bulletin.objects.filter(snapshot__bulletin__issuer="基准测试").delete()  # from an earlier run
    label = "演示数据" if kind == "demo" else f"{Organization.objects.count():,} 个组织"
    target = 1.0
    office, _ = User.objects.get_or_create(username="bench_cockpit", defaults={"role": "office"})
    query = f"period=2022-05&as_of={AS_OF}"
    page = f"/cockpit/?{query}"
    charts = {chart: f"/cockpit/data/{chart}.json?{query}" for chart in [*CHARTS, "tiles"]}
    clients = {}
    for name in ["页面", *charts]:
        clients[name] = Client()
        clients[name].force_login(office)

    def get(name: str, url: str) -> float:
        started = time.perf_counter()
        response = clients[name].get(url)
        assert response.status_code == 200, url
        return time.perf_counter() - started

    def in_turn() -> dict[str, float]:
        return {"页面": get("页面", page)} | {name: get(name, url) for name, url in charts.items()}

    def like_a_browser() -> dict[str, float]:
        """The HTML, then every chart at once (cockpit.js fetches them together)."""
        each = {"页面": get("页面", page)}

        def fetch(item):
            try:
                return item[0], get(*item)
            finally:
                connections.close_all()  # this thread's connection

        with ThreadPoolExecutor(max_workers=len(charts)) as pool:
            each.update(pool.map(fetch, charts.items()))
        return each

    in_turn()  # warm Python's imports and SQLite's page cache, like a running server
    print(
        f"{label}（{os.cpu_count()} 核，开始时负载 {', '.join(f'{x:.1f}' for x in os.getloadavg())}；"
        f"页面加载 = 页面 + {len(charts)} 个数据请求（6 个图表和指标卡），3 次中位数）：",
        flush=True,
    )
    from django.core.cache import cache

    from liangxin.dashboard.warm import warm_cockpit_job

    runs = []
    for _ in range(3):  # the worker computes the tables after the change, then the user comes
        cache.clear()
        started = time.perf_counter()
        warm_cockpit_job.call(as_of=AS_OF)
        warmed = time.perf_counter() - started
        wall, cpu = time.perf_counter(), time.process_time()
        each = like_a_browser()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu, each, warmed))
    wall, cpu, each, warmed = sorted(runs, key=lambda run: run[0])[1]
    print(
        _line("数据变动后首次加载，后台预计算已完成（12 个月末），图表请求同时发出", target, wall, cpu),
        flush=True,
    )
    print("      " + "，".join(f"{k} {v * 1000:.0f} ms" for k, v in each.items()), flush=True)
    print(
        f"      任务进程在数据变动后预计算用时 {warmed:.3f} s（这段时间内打开的页面等待它完成）", flush=True
    )
    for title, cold, published in [
        ("数据变动后首次加载，未预计算（不运行任务进程时，12 个月末全算）", True, False),
        ("前 11 个月已发布通报，首次加载", True, True),
        ("数据未变，再次加载（读缓存）", False, True),
    ]:
        if published and not Bulletin.objects.filter(snapshot__bulletin__issuer="基准测试").exists():
            _publish_earlier_months(datetime.date.fromisoformat(AS_OF))
        for how, load in (("图表请求同时发出（如浏览器）", like_a_browser), ("逐个请求", in_turn)):
            wall, cpu, each = _measure(load, cold=cold)
            print(_line(f"{title}，{how}", target, wall, cpu), flush=True)
            print("      " + "，".join(f"{k} {v * 1000:.0f} ms" for k, v in each.items()), flush=True)
    Bulletin.objects.filter(snapshot__bulletin__issuer="基准测试").delete()


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(sys.argv[-1])
    else:
        main()
