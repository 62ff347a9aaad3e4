"""docs/scale.md §2 for real: a province whose cities keep their own servers. Two more PostgreSQL
clusters on loopback (`pgcluster`) are the city servers of 吉安 (360800) and 南昌 (360100), each
holding its own city's organizations, party organizations, links and assignments. The province's
server (this test's database) has them as `postgres_fdw` foreign partitions: a schema `province`
whose tables carry the application's names, partitioned by `city_code` (organizations, party
organizations) or by the city's range of organization ids (links, assignments: they carry no
city code). With `search_path = province, public` the coverage engine runs **its own statements
unchanged** — by county and by township, city-wide and inside one county, as of today and as of
a past date, and the cockpit's many-dates statement — and its figures equal the single server's
(the same rows, all in this database's own tables). The city servers' statement logs show the
province's queries reaching both.

Runs in `make test`'s PostgreSQL phase (two clusters start in a few seconds); skipped without
PostgreSQL's server programs."""

from __future__ import annotations

import contextlib
import datetime

import psycopg
import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from psycopg import sql

from liangxin.core.models import Region, RegionLevel
from liangxin.core.services import SetupReport, _region_rows, load_regions
from liangxin.coverage import engine
from liangxin.coverage.models import Formation
from liangxin.registry.models import Organization
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.production import pgcluster

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="postgres_fdw 是 PostgreSQL 的扩展"),
]

D = datetime.date
TODAY = "2025-06-30 10:00 +0800"  # “today” for the engine: a local (Asia/Shanghai) date
PAST = D(2024, 12, 31)
CITIES = {"360800": "ji_an", "360100": "nanchang"}
BY_CITY = ("registry_organization", "coverage_partyorganization")  # LIST (city_code)
BY_ORGANIZATION = ("coverage_coveragelink", "coverage_assignment")  # RANGE (organization_id)


def _townships(city: str) -> list[str]:
    """Two townships in each of the city's first two counties."""
    counties = Region.objects.filter(city_code=city, level=RegionLevel.COUNTY).order_by("code")[:2]
    return [
        code
        for county in counties
        for code in Region.objects.filter(parent=county, level=RegionLevel.TOWNSHIP)
        .order_by("code")
        .values_list("code", flat=True)[:2]
    ]


def _city(city: str, count: int) -> None:
    """`count` organizations of every kind of coverage, some only today, some only in the past,
    some out of scope; ids contiguous per city (the range partitions of links and assignments)."""
    townships = _townships(city)
    orgs = []
    for n in range(count):
        orgs.append(
            make_org(
                f"{city}公司{n}",
                region=townships[(n + n // 8) % len(townships)],  # every kind in every township
                kind="social" if n % 7 == 3 else "enterprise",
                status="cancelled" if n % 11 == 5 else "active",
                founded_on=(None, D(2015, 3, 1), D(2025, 3, 1))[n % 3],
                members=n % 5,
            )
        )
    for n, org in enumerate(orgs):
        match n % 8:
            case 0:
                make_party_org(f"{org.name}支部", org)
            case 1:
                make_party_org(f"{org.name}新支部", org, founded_on=D(2025, 2, 1))  # today only
            case 2 if n + 1 < count:
                make_party_org(f"{org.name}联合支部", org, orgs[n + 1], formation=Formation.JOINT)
            case 4:
                make_instructor(f"{org.name}指导员", org)
            case 5:
                make_party_org(f"{org.name}撤销支部", org, dissolved_on=D(2025, 1, 15))  # the past only
                make_instructor(f"{org.name}后派指导员", org, starts_on=D(2025, 4, 1))


def _figures() -> dict:
    """The engine's figures, each the way a page asks for them."""
    with time_machine.travel(TODAY, tick=False):
        today = timezone.localdate()
    orgs = Organization.objects.all()
    figures = {}
    for day in (today, PAST):
        figures[f"by county {day}"] = engine.coverage(orgs, as_of=day, by="county").as_dict()
        figures[f"by township {day}"] = engine.coverage(orgs, as_of=day, by="township").as_dict()
        for city in CITIES:  # one county's townships: the per-organization statement
            region = Region.objects.get(code=_townships(city)[0][:6])
            figures[f"{region.code} {day}"] = engine.coverage(orgs, as_of=day, region=region).as_dict()
    tables = engine.coverage_tables(orgs, dates=[PAST, today], by="county")
    figures["cockpit series"] = [table.as_dict() for table in tables]
    return figures


def _columns(src: psycopg.Connection, table: str) -> str:
    rows = src.execute(
        "SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        (f"public.{table}",),
    ).fetchall()
    return ", ".join(f'"{name}" {kind}{" NOT NULL" if not_null else ""}' for name, kind, not_null in rows)


def _city_server(src: psycopg.Connection, cluster: pgcluster.Cluster, city: str) -> None:
    """The city's own server: the four tables as the application has them, with its rows only."""
    with cluster.connect() as conn:
        conn.execute("CREATE DATABASE liangxin")
    in_city = {
        "registry_organization": sql.SQL("city_code = {}").format(city),
        "coverage_partyorganization": sql.SQL("city_code = {}").format(city),
    }
    for table in BY_ORGANIZATION:
        in_city[table] = sql.SQL(
            "organization_id IN (SELECT id FROM registry_organization WHERE city_code = {})"
        ).format(city)
    with cluster.connect("liangxin") as dst:
        for table, where in in_city.items():
            dst.execute(f"CREATE TABLE {table} ({_columns(src, table)}, PRIMARY KEY (id))")
            query = sql.SQL("COPY (SELECT * FROM {} WHERE {}) TO STDOUT").format(sql.Identifier(table), where)
            with src.cursor().copy(query) as out, dst.cursor().copy(f"COPY {table} FROM STDIN") as into:
                for data in out:
                    into.write(data)
            dst.execute(f"ANALYZE {table}")


def _province(
    src: psycopg.Connection, servers: dict[str, pgcluster.Cluster], first_id: dict[str, int]
) -> None:
    """Schema `province` in this database: the application's table names, partitioned, each
    partition a foreign table on its city's server."""
    src.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw")
    src.execute("CREATE SCHEMA province")
    bounds = sorted(first_id.items(), key=lambda item: item[1])
    for city, cluster in servers.items():
        server = CITIES[city]
        src.execute(
            f"CREATE SERVER {server} FOREIGN DATA WRAPPER postgres_fdw "
            f"OPTIONS (host '127.0.0.1', port '{cluster.port}', dbname 'liangxin')"
        )
        src.execute(f"CREATE USER MAPPING FOR CURRENT_USER SERVER {server} OPTIONS (user 'postgres')")
    for table in (*BY_CITY, *BY_ORGANIZATION):
        key = "LIST (city_code)" if table in BY_CITY else "RANGE (organization_id)"
        src.execute(f"CREATE TABLE province.{table} (LIKE public.{table}) PARTITION BY {key}")
        for index, (city, start) in enumerate(bounds):
            if table in BY_CITY:
                values = f"IN ('{city}')"
            else:
                end = bounds[index + 1][1] if index + 1 < len(bounds) else "MAXVALUE"
                values = f"FROM ({start if index else 'MINVALUE'}) TO ({end})"
            src.execute(
                f"CREATE FOREIGN TABLE province.{table}_{city} PARTITION OF province.{table} FOR VALUES {values} "
                f"SERVER {CITIES[city]} OPTIONS (schema_name 'public', table_name '{table}')"
            )


def _plans() -> dict[str, str]:
    queries = {
        "rollup": "SELECT city_code, county_code, count(*) FROM registry_organization GROUP BY 1, 2",
        "county": "SELECT count(*) FROM registry_organization WHERE city_code = '360800' AND county_code = '360802'",
    }
    plans = {}
    with connection.cursor() as cursor:
        cursor.execute("SET enable_partitionwise_aggregate = on")
        for name, query in queries.items():
            cursor.execute(f"EXPLAIN (VERBOSE) {query}")
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_partitionwise_aggregate")
    return plans


@contextlib.contextmanager
def search_path(path: str):
    with connection.cursor() as cursor:
        cursor.execute(f"SET search_path TO {path}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET search_path")


def test_the_coverage_engine_over_city_servers_equals_the_single_servers_figures(city, tmp_path):
    load_regions("3601", _region_rows("3601"), SetupReport())  # 南昌's regions beside 吉安's
    _city("360800", 48)
    _city("360100", 40)
    first_id = {
        code: Organization.objects.filter(city_code=code).order_by("id").values_list("id", flat=True)[0]
        for code in CITIES
    }
    single = _figures()
    assert (
        single["by county 2025-06-30"]["total"]["single"] > single["by county 2024-12-31"]["total"]["single"]
    )
    for table in single.values():
        for row in table if isinstance(table, list) else [table]:  # every kind of coverage in each part
            assert all(
                row["total"][status] > 0 for status in ("single", "joint", "work", "none", "should_build")
            )

    dsn = connection.get_connection_params()
    src = psycopg.connect(dbname=connection.settings_dict["NAME"], host=dsn.get("host"), port=dsn.get("port"),
                          user=dsn.get("user"), autocommit=True)  # fmt: skip
    try:
        with src, pgcluster.clusters() as made:
            servers = {code: made.primary(f"city_{code}", log_statement="all") for code in CITIES}
            for code, cluster in servers.items():
                _city_server(src, cluster, code)
            _province(src, servers, first_id)
            offsets = {code: cluster.log_size() for code, cluster in servers.items()}
            with search_path("province, public"):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT relnamespace::regnamespace::text, relkind FROM pg_class "
                                   "WHERE oid = to_regclass('registry_organization')")  # fmt: skip
                    assert cursor.fetchone() == (
                        "province",
                        "p",
                    )  # the engine's name is the partitioned table
                province = _figures()
                plans = _plans()
            assert province == single
            # a plain roll-up by county is counted on each city's server (the aggregate pushed
            # down); one county's rows are asked of its city's server only (partition pruning)
            assert plans["rollup"].count("Remote SQL") == 2
            assert all(
                "GROUP BY" in part.split("\n", 1)[0] for part in plans["rollup"].split("Remote SQL")[1:]
            )
            assert "registry_organization_360800" in plans["county"]
            assert "registry_organization_360100" not in plans["county"]
            for code, cluster in servers.items():  # each city's server answered the province
                remote = "\n".join(cluster.log_since(offsets[code]))
                assert "registry_organization" in remote and "coverage_coveragelink" in remote, code
    finally:
        with psycopg.connect(dbname=connection.settings_dict["NAME"], host=dsn.get("host"), port=dsn.get("port"),
                             user=dsn.get("user"), autocommit=True) as conn:  # fmt: skip
            conn.execute("DROP SCHEMA IF EXISTS province CASCADE")
            for server in CITIES.values():
                conn.execute(f"DROP SERVER IF EXISTS {server} CASCADE")
