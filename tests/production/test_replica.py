"""The read replica (`LIANGXIN_REPLICA_URL`). Served for real on PostgreSQL: the "replica" is a
copy of the primary taken before serving and made read-only, so it stands for a replica that
lags: a page read there does not show what was written since. Writes never reach it (it would
refuse them), the lists of a user who has not written are read from it, and a user who just
saved sees the change at once (read from the primary)."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import transaction
from django.urls import resolve

from liangxin.core import dbrouting
from tests.factories import PASSWORD
from tests.production import pgsite
from tests.production.webclient import Browser

LIST = "/registry/organizations/"
STICKY = 2  # seconds a writer's reads stay on the primary, shortened for the test

SEED = """
from tests.factories import make_user
from tests.registry.factories import make_org
make_user("jz_writer", role="county", region="360802")
make_user("jz_reader", role="county", region="360802")
make_org("吉州区副本前已有公司")
"""


@pytest.fixture
def site(tmp_path):
    with pgsite.databases() as (primary,):
        replica = f"{primary}_replica"
        env = pgsite.environment(
            tmp_path / "var",
            primary,
            LIANGXIN_REPLICA_URL=f"{pgsite.SERVER}/{replica}",
            LIANGXIN_REPLICA_STICKY_SECONDS=str(STICKY),
        )
        pgsite.prepare({**env, "LIANGXIN_REPLICA_URL": ""}, SEED)
        with pgsite.admin() as conn:
            conn.execute(f'CREATE DATABASE "{replica}" TEMPLATE "{primary}"')
            conn.execute(f'ALTER DATABASE "{replica}" SET default_transaction_read_only = on')
        try:
            with pgsite.serve(env, tmp_path / "serve.log") as (base, _):
                yield base, primary, replica
        finally:
            with pgsite.admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{replica}" WITH (FORCE)')


def _rows(database: str, sql: str):
    with psycopg.connect(f"{pgsite.SERVER}/{database}") as conn:
        return conn.execute(sql).fetchall()


def _new_org(browser: Browser) -> None:
    from tests.registry.factories import credit_code

    browser.get("/registry/organizations/new/")
    page = browser.post(
        "/registry/organizations/new/",
        {"credit_code": credit_code(serial=7001), "name": "吉州区刚录入公司", "region": "360802001",
         "status": "存续", "version": "new"},
    )  # fmt: skip
    assert page.status == 302, page.text[:2000]


def test_reads_go_to_the_replica_writes_to_the_primary_and_a_writer_sees_their_own_change(site):
    base, primary, replica = site
    reader, writer = Browser(base), Browser(base)
    reader.login("jz_reader", PASSWORD)
    writer.login("jz_writer", PASSWORD)
    time.sleep(STICKY + 0.5)  # logging in was a write: let both users' read-your-writes window pass

    _new_org(writer)
    own = writer.get(LIST)
    assert own.status == 200 and "吉州区刚录入公司" in own.text and "吉州区副本前已有公司" in own.text

    other = reader.get(LIST)
    assert other.status == 200 and "吉州区副本前已有公司" in other.text
    assert "吉州区刚录入公司" not in other.text  # read from the (lagging) replica

    # Nothing was written to the replica: no session, no login time, no organization, no audit row.
    assert _rows(replica, "SELECT count(*) FROM django_session") == [(0,)]
    assert _rows(replica, "SELECT count(*) FROM accounts_user WHERE last_login IS NOT NULL") == [(0,)]
    assert _rows(replica, "SELECT count(*) FROM registry_organization WHERE name = '吉州区刚录入公司'") == [
        (0,)
    ]
    assert _rows(primary, "SELECT count(*) FROM registry_organization WHERE name = '吉州区刚录入公司'") == [
        (1,)
    ]
    created = "SELECT count(*) FROM core_auditlog WHERE action = 'registry.organization.created'"
    assert _rows(replica, created) < _rows(primary, created)

    time.sleep(STICKY + 0.5)  # the writer's window has passed: their list is read from the replica too
    assert "吉州区刚录入公司" not in writer.get(LIST).text


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_the_router_sends_writes_and_reads_in_a_transaction_to_the_primary(settings, django_db_blocker):
    settings.DATABASES = {**settings.DATABASES, dbrouting.REPLICA: settings.DATABASES["default"]}
    router = dbrouting.ReplicaRouter()
    token = dbrouting._reading_replica.set(True)
    try:
        assert router.db_for_read(None) == dbrouting.REPLICA
        assert router.db_for_write(None) == "default"
        with django_db_blocker.unblock(), transaction.atomic():  # nothing is written
            assert router.db_for_read(None) == "default"  # a service's checks before its write
    finally:
        dbrouting._reading_replica.reset(token)
    assert router.db_for_read(None) == "default"  # outside an eligible page


def test_only_the_named_lists_and_the_cockpit_are_eligible():
    assert dbrouting.eligible(resolve("/registry/organizations/"))
    assert dbrouting.eligible(resolve("/cockpit/"))
    assert not dbrouting.eligible(resolve("/registry/organizations/new/"))
    assert not dbrouting.eligible(resolve("/dispatch/mine/"))
    assert not dbrouting.eligible(resolve("/login/"))
