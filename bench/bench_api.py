"""API bulk upsert throughput (issue 17): rows/s through `POST /api/v1/organizations/bulk`
(5,000 per request: token check, the importer's rules, the registry's write path, the audit
records), first load and the same rows again (nothing changes), beside the file import of the
same rows (`run_import` of a CSV) — into SQLite.

The requests go through Django's WSGI handler in process (django.test.Client), so the figure is
the server's work per row, without the network. Sizes: BENCH_API_ROWS (default 100,000).
"""

from __future__ import annotations

import os

from _setup_db import fresh_db, run_child
from bench_registry import IMPORT_CODE, write_csv

ROWS = int(os.environ.get("BENCH_API_ROWS", "100000"))

API_CODE = """
import csv, json
from django.test import Client
from liangxin.api import tokens
from liangxin.accounts.models import User

admin = User.objects.create(username="bench-secadmin", role="secadmin")
office = User.objects.create(username="bench-office", role="office")
_, secret = tokens.create_token(actor=admin, name="bench", user=office, access="write", days=1,
                                rate_per_minute=100_000)
client = Client(HTTP_AUTHORIZATION=f"Bearer {{secret}}")
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
    for start in range(0, len(items), 5000):
        body = json.dumps({{"items": items[start:start + 5000]}}, ensure_ascii=False)
        response = client.post("/api/v1/organizations/bulk", body, content_type="application/json")
        assert response.status_code == 200, response.content[:2000]
        for k in totals:
            totals[k] += response.json()[k]
    timings.append((time.perf_counter() - t, totals))
RESULT = {{"first_s": timings[0][0], "first": timings[0][1], "again_s": timings[1][0], "again": timings[1][1]}}
"""


def main() -> None:
    from _setup_db import OUT

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"api-{ROWS}.csv"
    write_csv(path, ROWS)
    api = run_child(fresh_db("api"), API_CODE.format(path=str(path)))
    print(
        f"API bulk upsert, {ROWS:,} rows (SQLite): first {ROWS / api['first_s']:,.0f} rows/s "
        f"({api['first']}), again {ROWS / api['again_s']:,.0f} rows/s ({api['again']}), "
        f"peak {api['peak_mb']:.0f} MB"
    )
    file = run_child(fresh_db("api-file"), IMPORT_CODE.format(path=str(path), name=path.name))
    print(
        f"file import of the same rows (SQLite): {ROWS / file['seconds']:,.0f} rows/s ({file['created']} created)"
    )
