"""docs/scale.md §2: a province reads each city's own server through `postgres_fdw`, as the
partitions of one table partitioned by `city_code`, and rolls them up with the same GROUP BY the
coverage engine runs on one city. Shown for real on PostgreSQL: this test's database is the
city's server (its data committed), a throwaway database is the province's, and 南昌's rows are a
local partition beside it."""

from __future__ import annotations

from collections import Counter

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from liangxin.registry.models import Organization
from tests.production import pgsite
from tests.registry.factories import make_org

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="postgres_fdw is PostgreSQL's"),
]

COLUMNS = "id bigint, name varchar(200), city_code varchar(12), county_code varchar(12)"


def test_a_province_rolls_up_a_city_server_through_postgres_fdw(city):
    for n in range(3):
        make_org(f"吉州区公司{n}", region="360802001")
    for n in range(2):
        make_org(f"青原区公司{n}", region="360803001")
    city_code = Organization.objects.values_list("city_code", flat=True).first()
    expected = Counter(Organization.objects.values_list("city_code", "county_code"))
    expected[("360100", "360102")] = 2  # 南昌's two rows, kept on the province's own server

    city_database = connection.settings_dict["NAME"]
    with (
        pgsite.databases() as (province,),
        psycopg.connect(f"{pgsite.SERVER}/{province}", autocommit=True) as db,
    ):
        db.execute("CREATE EXTENSION postgres_fdw")
        db.execute(
            "CREATE SERVER ji_an FOREIGN DATA WRAPPER postgres_fdw "
            f"OPTIONS (host '127.0.0.1', port '5432', dbname '{city_database}')"
        )
        db.execute("CREATE USER MAPPING FOR CURRENT_USER SERVER ji_an OPTIONS (user 'postgres')")
        db.execute(f"CREATE TABLE registry_organization ({COLUMNS}) PARTITION BY LIST (city_code)")
        db.execute(
            f"CREATE FOREIGN TABLE registry_organization_{city_code} PARTITION OF registry_organization "
            f"FOR VALUES IN ('{city_code}') SERVER ji_an OPTIONS (table_name 'registry_organization')"
        )
        db.execute(
            "CREATE TABLE registry_organization_360100 PARTITION OF registry_organization FOR VALUES IN ('360100')"
        )
        db.execute(
            "INSERT INTO registry_organization_360100 VALUES "
            "(1, '南昌甲公司', '360100', '360102'), (2, '南昌乙公司', '360100', '360102')"
        )
        db.execute("SET enable_partitionwise_aggregate = on")
        query = "SELECT city_code, county_code, count(*) FROM registry_organization GROUP BY 1, 2"
        rolled_up = {(c, county): n for c, county, n in db.execute(query).fetchall()}
        assert rolled_up == dict(expected)
        # the city's part is counted on the city's server: the aggregate is pushed down
        plan = "\n".join(row[0] for row in db.execute(f"EXPLAIN (VERBOSE) {query}").fetchall())
        assert "Remote SQL" in plan and "GROUP BY" in plan.split("Remote SQL", 1)[1]
        # a county's page touches only its city's partition
        one_county = sql.SQL(
            "EXPLAIN SELECT count(*) FROM registry_organization WHERE city_code = {} AND county_code = '360802'"
        ).format(sql.Literal(city_code))
        county = db.execute(one_county).fetchall()
        assert "registry_organization_360100" not in "\n".join(row[0] for row in county)
