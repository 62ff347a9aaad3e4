"""Cockpit benchmark (issues 6 and 12): loading /cockpit/ — the HTML and every data request the page
makes (/cockpit/data/<chart>.json, one per chart, and tiles.json for the headline tiles), for the
May 2022 period as of 2022-05-31 — on the demo data and with 1,000,000 organizations (target ≤ 1 s
for both).

Past days' coverage tables are stored in the database (`dashboard.snapshots`); the running
month is computed. The loads timed: after a change once the task worker has recomputed (its own
time printed too); after a change before the worker has finished (the stored month-ends are shown,
marked 更新中); with the cache cleared (a restart) and the data unchanged; a load while cached;
nothing stored and nothing cached (the very first load: the day shown is counted, the line's
other month-ends are left to the worker); and the running month (as of today)
after a change. Chart requests sent together, as cockpit.js does (the page load a user waits
for), and for one case one after the other (the server's whole work). Medians of 3, wall clock
and the CPU time of the process.

Each data set lives in a throwaway SQLite database under bench/out/, built in a child process.
Smaller for a quick look: BENCH_DASHBOARD_ORGS=200000 make bench. BENCH_DASHBOARD_DIR=/tmp/x keeps
the generated databases there and reuses them on the next run (same size).
"""

from __future__ import annotations

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

from _setup_db import logged_in

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


def _measure(load, prepare, *, repeat: int = 3) -> tuple[float, float, dict[str, float]]:
    """(median wall s, median CPU s, the wall time of each request of the median run);
    `prepare()` runs before each load, untimed."""
    runs = []
    for _ in range(repeat):
        prepare()
        wall, cpu = time.perf_counter(), time.process_time()
        each = load()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu, each))
    runs.sort(key=lambda run: run[0])
    return runs[len(runs) // 2][0], statistics.median(run[1] for run in runs), runs[len(runs) // 2][2]


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
    from django.utils import timezone

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
        clients[name] = logged_in(Client(), office)

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

    from liangxin.dashboard.models import StoredTable
    from liangxin.dashboard.warm import warm_cockpit_job

    def change() -> None:
        """A committed change to what the figures read: the data version moves on."""
        from django.db import transaction

        from liangxin.core import effects

        with transaction.atomic():
            effects.figures_changed()

    def just_changed() -> None:
        """A change a moment ago, the worker busy with its warm-up. No worker runs here, so the
        refreshes earlier loads queued are dropped first: one left waiting for five minutes
        means no worker is running, and the page would count by itself (`snapshots`)."""
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()
        change()

    def forget_all() -> None:
        cache.clear()
        StoredTable.objects.all().delete()

    def report(title: str, result) -> None:
        wall, cpu, each = result
        print(_line(title, target, wall, cpu), flush=True)
        print("      " + "，".join(f"{k} {v * 1000:.0f} ms" for k, v in each.items()), flush=True)

    warmed_for = []

    def after_worker() -> None:
        forget_all()
        change()
        started = time.perf_counter()
        warm_cockpit_job.call(as_of=AS_OF)
        warmed_for.append(time.perf_counter() - started)

    report("数据变动后首次加载，任务进程已算完，图表请求同时发出", _measure(like_a_browser, after_worker))
    print(
        f"      任务进程在数据变动后计算用时 {statistics.median(warmed_for):.3f} s（无已存数据时；"
        "这段时间内打开的页面读已存的月末数据）",
        flush=True,
    )
    in_turn()  # stores the month-ends again
    report(
        "数据变动后首次加载，任务进程尚未算完（往月读已存数据，标注更新中），图表请求同时发出",
        _measure(like_a_browser, just_changed),
    )
    report("缓存已清（如重启后），数据未变，图表请求同时发出", _measure(like_a_browser, cache.clear))
    report("缓存已清（如重启后），数据未变，逐个请求", _measure(in_turn, cache.clear))
    report("数据未变，再次加载（读缓存），图表请求同时发出", _measure(like_a_browser, lambda: None))
    report(
        "从未计算过（无已存数据、无缓存：只算所看的日期，其余月末交给任务进程），图表请求同时发出",
        _measure(like_a_browser, forget_all),
    )
    today = timezone.localdate().isoformat()
    for name in charts:
        charts[name] = charts[name].replace(f"as_of={AS_OF}", f"as_of={today}")
    page = page.replace(f"as_of={AS_OF}", f"as_of={today}")
    in_turn()  # the month-ends before today, stored
    report(
        f"本月（截至今天 {today}）数据变动后首次加载：今天的表实时计算，往月读已存数据，图表请求同时发出",
        _measure(like_a_browser, just_changed),
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(sys.argv[-1])
    else:
        main()
