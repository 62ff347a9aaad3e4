"""One unit user's month-end path, request by request, at the burst's data size: queries and time.

The database is `bench_burst`'s (N units, 2 tasks each shared by 50 units), and every other unit
has already saved and submitted its reports (the end of the burst, when the period's events are
most numerous). Then one user, through Django's test client: the login page, the login, 本月填报,
the report form, save a draft, reopen, submit — each run `BENCH_PROFILE_REPEAT` times (default 5),
printing the number of queries, the median time and the median CPU time of this process
(`time.process_time`: on a shared machine the figure to compare; on SQLite it includes the
database's work, on PostgreSQL not). `BENCH_PROFILE_CPROFILE=DIR` writes each step's last run as
a cProfile file (CPU time) into DIR, to read with `python -m pstats`. Not a test (nothing is
asserted): the figures say where a request's time goes before and after a change.

    BENCH_BURST_USERS=500 .venv/bin/python bench/profile_burst.py          # SQLite
    BENCH_BURST_USERS=500 BENCH_PROFILE_DATABASE=postgres .venv/bin/python bench/profile_burst.py
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_burst", HERE / "bench_burst.py")
burst = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(burst)
setup_db = burst.setup_db

FILL = """
from liangxin.accounts.models import User
from liangxin.dispatch import reports as report_service
from liangxin.dispatch.models import Period, TaskUnit
period = Period.objects.get(month=os.environ["BURST_PERIOD"] + "-01")
data = {"status": "on_track", "percent": 60, "progress": "已报送", "problems": "", "next_steps": "继续推进"}
users = {u.member_unit_id: u for u in User.objects.filter(username__startswith="burst").exclude(username=os.environ["BURST_PROFILE_USER"])}
n = 0
for a in TaskUnit.objects.filter(unit_id__in=users).select_related("task", "unit"):
    actor = users[a.unit_id]
    report_service.save_report(actor=actor, task=a.task, unit=a.unit, period=period, data=data, submit=False)
    report_service.save_report(actor=actor, task=a.task, unit=a.unit, period=period, data=data, submit=True)
    n += 1
RESULT = {"submitted": n}
"""

PROFILE = """
import cProfile, re, statistics
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from liangxin.accounts.models import User
from liangxin.dispatch.models import Report
repeat = int(os.environ.get("BENCH_PROFILE_REPEAT", "5"))
me = User.objects.get(username=os.environ["BURST_PROFILE_USER"])
figures = {}

profile_to = os.environ.get("BENCH_PROFILE_CPROFILE")  # a folder: one cProfile file per step


def step(name, call, prepare=lambda: None):
    times, cpu, counts = [], [], []
    page = None
    for i in range(repeat):
        ready = prepare()
        profiler = cProfile.Profile(time.process_time) if profile_to and i == repeat - 1 else None
        started, cpu_started = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            if profiler:
                profiler.enable()
            page = call(ready)
            if profiler:
                profiler.disable()
        cpu.append(time.process_time() - cpu_started)
        times.append(time.perf_counter() - started)
        counts.append(len(queries))
        assert page.status_code in (200, 302), (name, page.status_code)
    if profile_to:
        profiler.dump_stats(os.path.join(profile_to, f"{len(figures)}-{name}.prof"))
    figures[name] = {"queries": counts[-1], "median_ms": round(statistics.median(times) * 1000, 1),
                     "cpu_ms": round(statistics.median(cpu) * 1000, 1)}
    if os.environ.get("BENCH_PROFILE_SQL"):  # the last run's statements, to read
        with open(os.environ["BENCH_PROFILE_SQL"], "a") as out:
            out.write(f"== {name}\\n" + "".join(f"{q['time']} {q['sql'][:300]}\\n" for q in queries.captured_queries))
    return page

client = Client()
step("登录页", lambda _: client.get("/login/"))
step("登录", lambda _: Client().post("/login/", {"username": os.environ["BURST_PROFILE_USER"], "password": os.environ["BURST_PASSWORD"]}))
client.post("/login/", {"username": os.environ["BURST_PROFILE_USER"], "password": os.environ["BURST_PASSWORD"]})
mine = step("本月填报", lambda _: client.get("/dispatch/mine/"))
url = re.findall(r'href="(/dispatch/mine/\\d{4}-\\d{2}/\\d+/)"', mine.content.decode())[0]
data = {"status": "on_track", "percent": 60, "progress": "本月进展", "problems": "", "next_steps": "继续推进"}
version = lambda page: re.search(r'name="version" value="([^"]*)"', page.content.decode()).group(1)
step("打开填报表", lambda _: client.get(url))
counter = iter(range(1000))

def opened():
    return version(client.get(url))

step("保存草稿", lambda v: client.post(url, data | {"progress": f"进展{next(counter)}", "version": v, "action": "save"}),
     opened)
step("再次打开", lambda _: client.get(url))

def draft_opened():
    Report.objects.filter(unit_id=me.member_unit_id).delete()
    client.post(url, data | {"version": opened(), "action": "save"})
    return opened()

step("报送", lambda v: client.post(url, data | {"version": v, "action": "submit"}), draft_opened)
RESULT = figures
"""


def main() -> None:
    kind = os.environ.get("BENCH_PROFILE_DATABASE", "sqlite")
    db = setup_db.fresh_pg("profile_burst") if kind == "postgres" else setup_db.fresh_db("profile_burst")
    os.environ.update(BURST_USERS=str(burst.USERS), BURST_TASKS=str(burst.TASKS), BURST_GROUP=str(burst.GROUP),
                      BURST_PASSWORD=burst.PASSWORD)  # fmt: skip
    seeded = setup_db.run_child(db, burst.SEED)
    os.environ["BURST_PERIOD"] = seeded["period"]
    # burst0001 reports on two tasks; burst0000 leads its two (every pair of them on its page)
    os.environ["BURST_PROFILE_USER"] = os.environ.get("BENCH_PROFILE_USER", "burst0001")
    filled = setup_db.run_child(db, FILL)
    print(
        f"{kind}: {burst.USERS} 个单位，{os.environ['BURST_PROFILE_USER']} 的路径；其余单位已报送 {filled['submitted']} 份（{filled['wall_s']:.0f} s）",
        flush=True,
    )
    figures = setup_db.run_child(db, PROFILE)
    for name, f in figures.items():
        if isinstance(f, dict):
            print(
                f"    {name}: {f['queries']} 条查询，中位数 {f['median_ms']} ms，CPU {f['cpu_ms']} ms",
                flush=True,
            )


if __name__ == "__main__":
    main()
