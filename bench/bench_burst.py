"""The month-end burst (issue 18): N member-unit users (default 500) against `liangxin serve` on
loopback, each logging in, opening 本月填报, and for each of its tasks opening the report form,
saving a draft, opening it again and submitting — on SQLite and on PostgreSQL.

Real HTTP (tests/production/webclient.py: cookies, CSRF, the form's version field), real
gunicorn workers (LIANGXIN_WORKERS, default 2 × cores + 1), the production settings. Two phases,
reported apart: first every user logs in (at the month's end most are already logged in; the
login is the Argon2 check), then every user's reporting path. In each, at most
BENCH_BURST_CONCURRENCY users act at once (a thread each), started as fast as the pool takes
them — a closed loop, so the rate measured is what the server gives, not what a schedule allows
(BENCH_BURST_RAMP > 0 spreads the reporting users' starts over that many seconds instead, and
then caps the rate at users × tasks / ramp, printed).

Printed per database: logins/s; submissions/s over the reporting phase, over its middle 80 %
and over the whole run; p50/p95/p99 of the reporting requests and per kind of request; errors
(5xx or a failed connection), conflicts; the database check after the run (every expected report
present exactly once, submitted, with one 报送 event); and the CPU the server's processes and
(PostgreSQL) the database's backends spent per request, per submission and per login — and from
it the ceiling on this machine's cores (cores ÷ CPU per submission). On a shared machine the
latencies mostly measure the wait for a core; the CPU figures are what the load disturbs least.

Full size (the figures the README asks for):
    BENCH_BURST_USERS=500 .venv/bin/python bench/run.py bench_burst
Reduced:
    BENCH_BURST_USERS=60 .venv/bin/python bench/run.py bench_burst
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
RAMP = float(os.environ.get("BENCH_BURST_RAMP", "0"))
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
        self.submitted: list[float] = []  # when each submission's answer came (perf_counter)

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


def _login(base: str, index: int, rec: Recorder) -> Browser | None:
    """The login page and the login (the Argon2 check): phase one, timed apart."""
    browser = Browser(base, timeout=180)
    rec.timed("登录页", browser.get, "/login/")
    if rec.timed("登录", browser.post, "/login/", {"username": f"burst{index:04d}", "password": PASSWORD},
                 expect=(302,)) is None:  # fmt: skip
        return None
    return browser


def _report(browser: Browser, index: int, rec: Recorder) -> None:
    """本月填报, then per task: open the form, save a draft, open it again, submit."""
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
                rec.submitted.append(time.perf_counter())


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


def _processes() -> dict[int, tuple[int, float, str]]:
    """Every process (Linux /proc): pid → (parent, CPU seconds so far — user + system —, its title)."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            _head, tail = (entry / "stat").read_text().rsplit(")", 1)
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        fields = tail.split()
        found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick, title)
    return found


class CpuMeter:
    """The CPU time (user + system) the server — a process and its descendants — and, on
    PostgreSQL, the database's backends serving the bench database (their process title names
    it) spend, sampled every half second so that a worker or a connection that ends mid-run
    (gunicorn's max-requests) still counts: the cost of the run, which a busy machine disturbs far
    less than latency (waiting for a core is not CPU)."""

    def __init__(self, root: int, database: str | None):
        self.root, self.database = root, database
        self.seen: dict[str, dict[int, float]] = {"server": {}, "database": {}}
        self.base: dict[str, dict[int, float]] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> None:
        procs = _processes()
        tree, frontier = {self.root}, [self.root]
        while frontier:
            pid = frontier.pop()
            children = [p for p, (parent, _, _) in procs.items() if parent == pid and p not in tree]
            tree.update(children)
            frontier.extend(children)
        for pid in tree & procs.keys():
            self.seen["server"][pid] = procs[pid][1]
        if self.database:
            needle = f" {self.database} "
            for pid, (_, cpu, title) in procs.items():
                if title.startswith("postgres:") and needle in title:
                    self.seen["database"][pid] = cpu

    def _loop(self) -> None:
        while not self.stop.wait(0.5):
            self.sample()

    def start(self) -> None:
        self.sample()
        self.base = {k: dict(v) for k, v in self.seen.items()}
        self.thread.start()

    def seconds(self) -> dict[str, float]:
        """CPU seconds since start(), by part (server, database)."""
        self.sample()
        return {
            k: sum(cpu - self.base[k].get(pid, 0.0) for pid, cpu in v.items()) for k, v in self.seen.items()
        }

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def _sustained(done: list[float]) -> float:
    """Submissions/s between the 10th and the 90th percentile of their completion times: the rate
    once the phase is going, without its start and its tail."""
    done = sorted(done)
    if len(done) < 10:
        return 0.0
    first, last = done[len(done) // 10], done[len(done) * 9 // 10]
    return (len(done) * 9 // 10 - len(done) // 10) / max(last - first, 1e-9)


def _phase(users: list[int] | range, work, ramp: float) -> float:
    """Run `work(i)` for every user, at most CONCURRENCY at once, starting them evenly over
    `ramp` seconds (0: as fast as the pool takes them); the phase's wall seconds."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        for n, i in enumerate(users):
            delay = started + ramp * n / max(len(users), 1) - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(work, i)
    return time.perf_counter() - started


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
    logins, paths = Recorder(), Recorder()
    base = f"http://127.0.0.1:{port}"
    browsers: dict[int, Browser] = {}
    try:
        wait_until_up(base)
        meter = CpuMeter(server.pid, str(db).rsplit("/", 1)[-1] if kind == "postgres" else None)
        meter.start()
        # Phase one: every user logs in (at the month's end most already are: timed apart).
        client_cpu = time.process_time()
        login_s = _phase(range(USERS), lambda i: browsers.__setitem__(i, _login(base, i, logins)), 0)
        login_cpu, login_client = meter.seconds(), time.process_time() - client_cpu
        # Phase two: 本月填报, then each task's form, draft, form again, submission.
        client_cpu = time.process_time()
        report_s = _phase(
            [i for i in range(USERS) if browsers.get(i)], lambda i: _report(browsers[i], i, paths), RAMP
        )
        total_cpu, report_client = meter.seconds(), time.process_time() - client_cpu
        meter.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    report_cpu = {k: total_cpu[k] - login_cpu[k] for k in total_cpu}
    check = setup_db.run_child(db, CHECK)
    submitted = len(paths.submitted)
    every = [t for rec in (logins, paths) for times in rec.times.values() for t in times]
    path_times = [t for times in paths.times.values() for t in times]
    errors = logins.errors + paths.errors
    n_logins, n_path = len(logins.times["登录"]), len(path_times)
    # What one submission costs the server (and PostgreSQL), and so how many 2 cores could carry.
    per_submission = (report_cpu["server"] + report_cpu["database"]) / max(submitted, 1)
    per_login = (login_cpu["server"] + login_cpu["database"]) / max(n_logins, 1)
    cores = os.cpu_count() or 1
    result = {
        "database": kind,
        "server": SERVER,
        "users": USERS,
        "workers": int(WORKERS),
        "concurrency": CONCURRENCY,
        "ramp_s": RAMP,
        "seconds": round(login_s + report_s, 1),
        "login_seconds": round(login_s, 1),
        "submission_seconds": round(report_s, 1),
        "requests": len(every),
        "requests_per_s": round(len(every) / (login_s + report_s), 1),
        "logins_per_s": round(n_logins / login_s, 2),
        "submissions_per_s_whole_run": round(submitted / (login_s + report_s), 2),
        "submissions_per_s": round(submitted / report_s, 2),
        "submissions_per_s_sustained": round(_sustained(paths.submitted), 2),
        "p50_ms": round(_pct(path_times, 0.50)),
        "p95_ms": round(_pct(path_times, 0.95)),
        "p99_ms": round(_pct(path_times, 0.99)),
        "server_cpu_ms_per_request": round(report_cpu["server"] * 1000 / max(n_path, 1), 1),
        "database_cpu_ms_per_request": round(report_cpu["database"] * 1000 / max(n_path, 1), 1),
        "cpu_ms_per_submission": round(per_submission * 1000, 1),
        "cpu_ms_per_login": round(per_login * 1000, 1),
        "client_cpu_ms_per_submission": round(report_client * 1000 / max(submitted, 1), 1),
        "client_cpu_ms_per_login": round(login_client * 1000 / max(n_logins, 1), 1),
        "ceiling_submissions_per_s": round(cores / per_submission, 1) if submitted else 0,
        "ceiling_logins_per_s": round(cores / per_login, 1) if n_logins else 0,
        "ramp_cap_submissions_per_s": round(USERS * TASKS / RAMP, 1) if RAMP else None,
        "load_average": os.getloadavg()[0],
        "errors": len(errors),
        "conflicts": paths.conflicts,
        "expected_reports": seeded["expected"],
        **check,
        "per_kind": {k: _figures(v) for rec in (logins, paths) for k, v in rec.times.items()},
        "first_errors": errors[:5],
    }
    lost = submitted - check["submitted"]  # the page said 已报送 but the database has no such report
    missing = seeded["expected"] - check["submitted"]  # never submitted (its user met an error)
    result |= {"lost": lost, "not_submitted": missing}
    r = result
    cap = f"（启动均匀分布于 {RAMP:.0f} s，本身限速 {r['ramp_cap_submissions_per_s']}/s）" if RAMP else ""
    print(
        f"{kind}（{SERVER}，{WORKERS} 个进程，并发 {CONCURRENCY}）: {USERS} 个单位用户，{len(every)} 个请求，"
        f"错误 {len(errors)}，冲突 {paths.conflicts}；库中应有 {seeded['expected']} 份、已报送 {check['submitted']} 份、"
        f"重复 {check['duplicates']}、丢失 {lost}、未报送 {missing}；负载 {r['load_average']:.1f}\n"
        f"    登录阶段: {n_logins} 次登录 {login_s:.1f} s（{r['logins_per_s']}/s），"
        f"服务端+数据库 CPU {r['cpu_ms_per_login']} ms/次登录（含登录页），客户端 {r['client_cpu_ms_per_login']} ms\n"
        f"    报送阶段{cap}: {n_path} 个请求 {report_s:.1f} s，报送 {submitted} 份：{r['submissions_per_s']}/s"
        f"（中间 80 % {r['submissions_per_s_sustained']}/s；含登录阶段的全程 {r['submissions_per_s_whole_run']}/s）；"
        f"p50 {r['p50_ms']} ms，p95 {r['p95_ms']} ms，p99 {r['p99_ms']} ms\n"
        f"    CPU: 服务端 {r['server_cpu_ms_per_request']} ms/请求、数据库 {r['database_cpu_ms_per_request']} ms/请求，"
        f"每份报送 {r['cpu_ms_per_submission']} ms（客户端另 {r['client_cpu_ms_per_submission']} ms）→ "
        f"{cores} 核上限约 {r['ceiling_submissions_per_s']} 份/s、登录 {r['ceiling_logins_per_s']} 次/s",
        flush=True,
    )
    for name, figures in result["per_kind"].items():
        print(f"    {name}: {figures['n']} 次，p50 {figures['p50_ms']} ms，p95 {figures['p95_ms']} ms，"
              f"p99 {figures['p99_ms']} ms", flush=True)  # fmt: skip
    for error in errors[:5]:
        print(f"    错误：{error}", flush=True)
    return result


def main() -> None:
    results = [r for r in (run(kind) for kind in DATABASES) if r]
    setup_db.OUT.mkdir(parents=True, exist_ok=True)
    (setup_db.OUT / "burst.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
