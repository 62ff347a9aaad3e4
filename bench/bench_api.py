"""API benchmarks (issue 17), on SQLite and PostgreSQL side by side:

* bulk upsert throughput through `POST /api/v1/organizations/bulk` (5,000 per request: token
  check, the importer's rules, the registry's write path, the audit records): first load into an
  empty registry, then the same rows again (nothing changes) — rows/s;
* list latency over the loaded registry: `GET /api/v1/organizations/` for the office (first
  page, and a page deep in the cursor walk) and for a county token (its county only), and one
  organization's detail — median and slowest of 7;
* beside them, the file import of the same rows (`run_import` of the CSV), for comparison.

The requests go through Django's WSGI handler in process (django.test.Client), so the figures
are the server's work without the network. Sizes: BENCH_API_ROWS (default 200,000);
BENCH_DATABASES=sqlite or =postgres for one of them; BENCH_PG names the PostgreSQL server.
"""

from __future__ import annotations

import os

from _setup_db import OUT, fresh_db, fresh_pg, postgres_available, run_child
from bench_registry import IMPORT_CODE, write_csv

ROWS = int(os.environ.get("BENCH_API_ROWS", "200000"))

API_CODE = """
import csv, json, statistics
from django.test import Client
from liangxin.api import tokens
from liangxin.accounts.models import User
from liangxin.core.models import Region

admin = User.objects.create(username="bench-secadmin", role="secadmin")
office = User.objects.create(username="bench-office", role="office")
county = User.objects.create(username="bench-county", role="county", region=Region.objects.get(code="360802"))
def client_for(user, name):
    # an office (whole-city) token is made on the server (actor None, as `liangxin api_token`)
    _, secret = tokens.create_token(actor=None if user.role == "office" else admin, name=name, user=user,
                                    access="write", days=1, rate_per_minute=100_000)
    return Client(HTTP_AUTHORIZATION=f"Bearer {{secret}}")
client, county_client = client_for(office, "bench"), client_for(county, "bench-county")
keys = ["credit_code", "name", "kind", "county", "township", "industry", "founded_on", "status",
        "employees", "party_members", "probationary_members", "above_scale", "tags", "address",
        "contact", "phone"]
with open({path!r}, encoding="utf-8") as f:
    rows = list(csv.reader(f))[1:]
items = [dict(zip(keys, row)) for row in rows]
timings = []
for run in range(2):
    t = time.perf_counter()
    totals = {{"created": 0, "updated": 0, "unchanged": 0}}
    requests = []
    for start in range(0, len(items), 5000):
        body = json.dumps({{"items": items[start:start + 5000]}}, ensure_ascii=False)
        r = time.perf_counter()
        response = client.post("/api/v1/organizations/bulk", body, content_type="application/json")
        requests.append(time.perf_counter() - r)
        assert response.status_code == 200, response.content[:2000]
        for k in totals:
            totals[k] += response.json()[k]
    timings.append((time.perf_counter() - t, totals, max(requests)))

def latency(api, url, params=None):
    spent = []
    for _ in range(7):
        t = time.perf_counter()
        response = api.get(url, params or {{}})
        spent.append(time.perf_counter() - t)
        assert response.status_code == 200, response.content[:500]
    return {{"median_ms": statistics.median(spent) * 1000, "max_ms": max(spent) * 1000}}

cursor = None
for _ in range(20):  # 20 pages of 100 into the walk
    cursor = client.get("/api/v1/organizations/", {{"limit": 100, **({{"cursor": cursor}} if cursor else {{}})}}).json()["next_cursor"]
lists = {{
    "office, first page of 100": latency(client, "/api/v1/organizations/", {{"limit": 100}}),
    "office, page 21 of the cursor walk": latency(client, "/api/v1/organizations/", {{"limit": 100, "cursor": cursor}}),
    "office, county filter": latency(client, "/api/v1/organizations/", {{"limit": 100, "region": "360802"}}),
    "county token, its county": latency(county_client, "/api/v1/organizations/", {{"limit": 100}}),
    "one organization's detail": latency(client, "/api/v1/organizations/" + items[len(items) // 2]["credit_code"]),
}}
RESULT = {{"first_s": timings[0][0], "first": timings[0][1], "first_slowest_request_s": timings[0][2],
          "again_s": timings[1][0], "again": timings[1][1], "again_slowest_request_s": timings[1][2],
          "lists": lists}}
"""


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"api-{ROWS}.csv"
    if not path.exists():
        write_csv(path, ROWS)
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
    databases = [("SQLite", fresh_db)] if "sqlite" in wanted else []
    if "postgres" in wanted:
        if postgres_available():
            databases.append(("PostgreSQL", fresh_pg))
        else:
            print("PostgreSQL 未连接（BENCH_PG），跳过 PostgreSQL")
    for label, fresh in databases:
        api = run_child(fresh("api"), API_CODE.format(path=str(path)))
        assert api["first"]["created"] == ROWS and api["again"]["unchanged"] == ROWS, api
        print(
            f"{label}: API bulk upsert, {ROWS:,} rows: first load {api['first_s']:.1f} s "
            f"({ROWS / api['first_s']:,.0f} rows/s, slowest request of 5,000 {api['first_slowest_request_s']:.1f} s); "
            f"the same rows again {api['again_s']:.1f} s ({ROWS / api['again_s']:,.0f} rows/s, "
            f"slowest {api['again_slowest_request_s']:.1f} s); peak {api['peak_mb']:.0f} MB",
            flush=True,
        )
        for what, t in api["lists"].items():
            print(f"{label}: GET list, {what}: median {t['median_ms']:.0f} ms, slowest {t['max_ms']:.0f} ms")
        file = run_child(fresh("api-file"), IMPORT_CODE.format(path=str(path), name=path.name))
        print(
            f"{label}: file import of the same rows: {file['seconds']:.1f} s "
            f"({ROWS / file['seconds']:,.0f} rows/s, {file['created']:,} created)",
            flush=True,
        )


if __name__ == "__main__":
    main()
