"""The month-end burst (issue 18): N member-unit users (default 500) against `liangxin serve` on
loopback, each logging in, opening 本月填报, and for each of its tasks opening the report form,
saving a draft and submitting — all of them within a few minutes — on SQLite and on PostgreSQL.

Real HTTP (tests/production/webclient.py: cookies, CSRF, the form's version field), real
gunicorn workers (LIANGXIN_WORKERS, default 2 × cores + 1), the production settings. Users start
evenly over BENCH_BURST_RAMP seconds and at most BENCH_BURST_CONCURRENCY act at once (a thread
each). Printed per database: requests and submissions per second over the run, p50/p95/p99 per
kind of request, errors (5xx or a failed connection), conflicts, and the database check after
the run: every expected report present exactly once, submitted, with one 报送 event; and the
server's own CPU per request (its processes' user + system time over the run) with the load
average, since on a shared machine the latencies mostly measure the wait for a core.

Full size (the figures the README asks for; ~10 minutes on 2 cores):
    BENCH_BURST_USERS=500 .venv/bin/python bench/run.py bench_burst
Here, on a shared machine:
    BENCH_BURST_USERS=60 BENCH_BURST_RAMP=20 .venv/bin/python bench/run.py bench_burst
Other knobs: BENCH_BURST_TASKS (tasks per unit, default 2), BENCH_BURST_CONCURRENCY (default 50),
BENCH_BURST_DATABASES (sqlite,postgres), BENCH_BURST_WORKERS (server workers), BENCH_BURST_SERVER
(gunicorn — `liangxin serve` — or granian, the comparison in design.md).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.production.webclient import Browser, wait_until_up  # noqa: E402

_spec = importlib.util.spec_from_file_location("_setup_db", HERE / "_setup_db.py")
setup_db = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(setup_db)

USERS = int(os.environ.get("BENCH_BURST_USERS", "500"))
TASKS = int(os.environ.get("BENCH_BURST_TASKS", "2"))
RAMP = float(os.environ.get("BENCH_BURST_RAMP", "120"))
CONCURRENCY = int(os.environ.get("BENCH_BURST_CONCURRENCY", "50"))
WORKERS = os.environ.get("BENCH_BURST_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
SERVER = os.environ.get("BENCH_BURST_SERVER", "gunicorn")
DATABASES = [
    d.strip() for d in os.environ.get("BENCH_BURST_DATABASES", "sqlite,postgres").split(",") if d.strip()
]
PASSWORD = "Burst@Pass2026"  # noqa: S105 (the throwaway bench accounts)
GROUP = 50  # units sharing a task (its lead and 49 responsible units)

SEED = """
import datetime
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from liangxin.accounts.models import User
from liangxin.core.models import MemberUnit
from liangxin.dispatch.models import Category, Period, Plan, Task, TaskUnit
users, per, group = int(os.environ["BURST_USERS"]), int(os.environ["BURST_TASKS"]), int(os.environ["BURST_GROUP"])
today = timezone.localdate()
plan, _ = Plan.objects.get_or_create(year=today.year)
period, _ = Period.objects.get_or_create(month=today.replace(day=1), defaults={"plan": plan, "due_day": 28})
units = MemberUnit.objects.bulk_create([MemberUnit(name=f"压测单位{i:04d}", sort=1000 + i) for i in range(users)])
secret = make_password(os.environ["BURST_PASSWORD"])
User.objects.bulk_create([User(username=f"burst{i:04d}", role="member_unit", member_unit=u, password=secret)
                          for i, u in enumerate(units)])
for g in range(0, users, group):
    members = units[g:g + group]
    for k in range(per):
        task = Task.objects.create(plan=plan, code=f"{g // group + 1}.{k + 1}", category=Category.THREE,
                                   title=f"压测重点任务{g // group + 1}.{k + 1}", lead=members[0],
                                   start=datetime.date(today.year, 1, 1), deadline=None)
        TaskUnit.objects.bulk_create([TaskUnit(task=task, unit=u, is_lead=(u == members[0])) for u in members])
RESULT = {"period": period.key, "expected": users * per}
"""

CHECK = """
from django.db.models import Count
from liangxin.dispatch.models import Report, ReportEvent
period = os.environ["BURST_PERIOD"]
reports = Report.objects.filter(period__month=period + "-01", unit__name__startswith="压测单位")
RESULT = {
    "reports": reports.count(),
    "submitted": reports.filter(state="submitted").count(),
    "duplicates": reports.values("task", "unit").annotate(n=Count("id")).filter(n__gt=1).count(),
    "submit_events": ReportEvent.objects.filter(report__in=reports, action="submitted").count(),
}
"""


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.conflicts = 0
        self.submitted = 0

    def timed(self, kind: str, call, *args, expect=(200, 302)):
        started = time.perf_counter()
        try:
            page = call(*args)
        except OSError as exc:
            with self.lock:
                self.errors.append(f"{kind}: {exc}")
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.times[kind].append(elapsed)
            if page.status not in expect:
                self.errors.append(f"{kind}: HTTP {page.status}")
        return page


def _fields(page: str) -> dict:
    version = re.search(r'name="version" value="([^"]*)"', page)
    return {"version": version.group(1) if version else ""}


def _user(base: str, index: int, rec: Recorder) -> None:
    browser = Browser(base, timeout=180)
    rec.timed("登录页", browser.get, "/login/")
    if rec.timed("登录", browser.post, "/login/", {"username": f"burst{index:04d}", "password": PASSWORD},
                 expect=(302,)) is None:  # fmt: skip
        return
    mine = rec.timed("本月填报", browser.get, "/dispatch/mine/")
    if mine is None:
        return
    for url in dict.fromkeys(re.findall(r'href="(/dispatch/mine/\d{4}-\d{2}/\d+/)"', mine.text)):
        form = rec.timed("打开填报表", browser.get, url)
        if form is None:
            continue
        data = {"status": "on_track", "percent": 60, "progress": f"压测单位{index:04d}本月进展", "problems": "",
                "next_steps": "继续推进"}  # fmt: skip
        draft = rec.timed("保存草稿", browser.post, url, data | _fields(form.text) | {"action": "save"})
        if draft is None:
            continue
        form = rec.timed("打开填报表", browser.get, url)
        if form is None:
            continue
        sent = rec.timed(
            "报送", browser.post, url, data | _fields(form.text) | {"action": "submit"}, expect=(302,)
        )
        if sent is not None and sent.status == 200 and "修改并保存了" in sent.text:
            with rec.lock:
                rec.conflicts += 1
        elif sent is not None and sent.status == 302:
            with rec.lock:
                rec.submitted += 1


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _figures(times: list[float]) -> dict:
    return {"n": len(times), "p50_ms": round(_pct(times, 0.5)), "p95_ms": round(_pct(times, 0.95)),
            "p99_ms": round(_pct(times, 0.99))}  # fmt: skip


def _server_command(port: int) -> list[str]:
    """`liangxin serve` (gunicorn, the production server), or — BENCH_BURST_SERVER=granian, to
    compare (design.md “Web server”) — granian on the same WSGI application, as many workers
    as gunicorn's and one request at a time in each (gunicorn's sync workers)."""
    if SERVER == "granian":
        granian = str(Path(sys.executable).with_name("granian"))
        return [granian, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port), "--workers", WORKERS,
                "--blocking-threads", "1", "--no-ws", "--log-level", "warning", "liangxin.wsgi:application"]  # fmt: skip
    return [setup_db.LIANGXIN, "serve", "--bind", f"127.0.0.1:{port}", "-v", "0"]


def _cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by a process and its descendants (Linux /proc): the
    server's cost of the run, less sensitive than latency to what else the machine is doing."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid and p not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(times.get(pid, 0.0) for pid in tree)


def run(kind: str) -> dict:
    if kind == "postgres":
        if not setup_db.postgres_available():
            print("PostgreSQL 127.0.0.1:5432 无响应：跳过", flush=True)
            return {}
        db: str | Path = setup_db.fresh_pg("burst")
    else:
        db = setup_db.fresh_db("burst")
    os.environ.update(BURST_USERS=str(USERS), BURST_TASKS=str(TASKS), BURST_GROUP=str(GROUP),
                      BURST_PASSWORD=PASSWORD)  # fmt: skip
    seeded = setup_db.run_child(db, SEED)
    os.environ["BURST_PERIOD"] = seeded["period"]
    env = setup_db.env_for(db) | {
        "LIANGXIN_WORKERS": WORKERS,
        "LIANGXIN_ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run([setup_db.LIANGXIN, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
    port = 18000 + os.getpid() % 1000
    log = (setup_db.OUT / f"burst-{kind}.log").open("w")  # the server's warnings (系统繁忙 and why)
    server = subprocess.Popen(_server_command(port), env=env, stdout=log, stderr=subprocess.STDOUT)
    rec = Recorder()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        cpu_before = _cpu_seconds(server.pid)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            for i in range(USERS):
                delay = started + RAMP * i / max(USERS, 1) - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(_user, base, i, rec)
        elapsed = time.perf_counter() - started
        server_cpu = _cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    check = setup_db.run_child(db, CHECK)
    every = [t for times in rec.times.values() for t in times]
    result = {
        "database": kind,
        "server": SERVER,
        "users": USERS,
        "workers": int(WORKERS),
        "seconds": round(elapsed, 1),
        "requests": len(every),
        "requests_per_s": round(len(every) / elapsed, 1),
        "submissions_per_s": round(rec.submitted / elapsed, 2),
        "p50_ms": round(_pct(every, 0.50)),
        "p95_ms": round(_pct(every, 0.95)),
        "p99_ms": round(_pct(every, 0.99)),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(len(every), 1), 1),
        "load_average": os.getloadavg()[0],
        "errors": len(rec.errors),
        "conflicts": rec.conflicts,
        "expected_reports": seeded["expected"],
        **check,
        "per_kind": {k: _figures(v) for k, v in rec.times.items()},
        "first_errors": rec.errors[:5],
    }
    lost = rec.submitted - check["submitted"]  # the page said 已报送 but the database has no such report
    missing = seeded["expected"] - check["submitted"]  # never submitted (its user met an error)
    result |= {"lost": lost, "not_submitted": missing}
    print(
        f"{kind}（{SERVER}）: {USERS} 个单位用户 {elapsed:.0f} s 内 {len(every)} 个请求（{result['requests_per_s']}/s），"
        f"报送 {rec.submitted}（{result['submissions_per_s']}/s）；p50 {result['p50_ms']} ms，"
        f"p95 {result['p95_ms']} ms，p99 {result['p99_ms']} ms；错误 {len(rec.errors)}，冲突 {rec.conflicts}；"
        f"库中应有 {seeded['expected']} 份、已报送 {check['submitted']} 份、重复 {check['duplicates']}、"
        f"丢失 {lost}、未报送 {missing}；服务端 CPU {result['server_cpu_ms_per_request']} ms/请求，"
        f"负载 {result['load_average']:.1f}",
        flush=True,
    )
    for name, figures in result["per_kind"].items():
        print(f"    {name}: {figures['n']} 次，p50 {figures['p50_ms']} ms，p95 {figures['p95_ms']} ms，"
              f"p99 {figures['p99_ms']} ms", flush=True)  # fmt: skip
    for error in rec.errors[:5]:
        print(f"    错误：{error}", flush=True)
    return result


def main() -> None:
    results = [r for r in (run(kind) for kind in DATABASES) if r]
    setup_db.OUT.mkdir(parents=True, exist_ok=True)
    (setup_db.OUT / "burst.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
