"""Cockpit benchmark (issue 6): the server time of /cockpit/ and of all its chart endpoints
together, on the demo data (target ≤ 1 s) and with 1,000,000 organizations (target ≤ 2 s).

Each data set lives in a throwaway SQLite database under bench/out/, built in a child process.
Smaller for a quick look: BENCH_DASHBOARD_ORGS=100000 make bench.
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
from pathlib import Path

ORGS = int(os.environ.get("BENCH_DASHBOARD_ORGS", "1000000"))
HERE = Path(__file__).resolve()
OUT = HERE.parent / "out"
AS_OF = "2022-05-31"


def main() -> None:
    for kind in ("demo", "million"):
        workdir = OUT / f"dashboard_{kind}"
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
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
            if not os.environ.get("BENCH_KEEP_DB"):
                shutil.rmtree(workdir, ignore_errors=True)


def _timed(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _coverage_bench():
    spec = importlib.util.spec_from_file_location("bench_coverage", HERE.with_name("bench_coverage.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.ORGS, module.PARTY_ORGS = ORGS, ORGS * 15 // 100
    return module


def child(kind: str) -> None:
    import random

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from liangxin.accounts.models import User
    from liangxin.core.services import setup_installation
    from liangxin.dashboard.queries import CHARTS

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
    call_command("migrate", verbosity=0)
    setup_installation("360800")
    if kind == "demo":
        call_command("demo", stdout=io.StringIO())
        label = "演示数据"
    else:
        module = _coverage_bench()
        rng = random.Random(6)
        module._generate(rng)
        module._generate_coverage(rng)
        call_command("demo", stdout=io.StringIO()) if os.environ.get("BENCH_DASHBOARD_DEMO_TASKS") else None
        label = f"{ORGS:,} 个组织"
    office = User.objects.create(username="bench_cockpit", role="office")
    client = Client()
    client.force_login(office)
    query = f"as_of={AS_OF}"
    page = f"/cockpit/?{query}"
    assert client.get(page).status_code == 200
    page_s = _timed(lambda: client.get(page))
    each = {}
    for chart in CHARTS:
        url = f"/cockpit/data/{chart}.json?{query}"
        assert client.get(url).status_code == 200, url
        each[chart] = _timed(lambda url=url: client.get(url))
    total = sum(each.values())
    from django.core.cache import cache

    cache.clear()
    cold = _timed(lambda: client.get(f"/cockpit/data/months.json?{query}"), repeat=1)
    print(
        f"{label}（{os.cpu_count()} 核，负载 {os.getloadavg()[0]:.1f}）：页面 {page_s * 1000:.0f} ms；"
        f"全部图表数据 {total:.3f} s（目标 {'1' if kind == 'demo' else '2'} s）——"
        + "，".join(f"{k} {v * 1000:.0f} ms" for k, v in each.items())
        + f"；走势图首次计算（12 个月末，无缓存）{cold:.3f} s",
        flush=True,
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(sys.argv[-1])
    else:
        main()
