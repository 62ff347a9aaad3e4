"""The read replica (`LIANGXIN_REPLICA_URL`), served for real: the test starts its own PostgreSQL
primary cluster on loopback and a streaming standby of it (`pg_basebackup -R`, `pgcluster`), and
serves the site with `liangxin serve` on the primary with the standby as its replica.

What a user would notice, and the proof it is the standby that answers: the standby logs every
statement it runs (`log_statement = all`), so an eligible page (the organization list, the
cockpit) is seen running its queries there and another page (an organization's detail) is not.
With the standby's replay paused (`pg_wal_replay_pause()`), an organization the writer just saved
is on the primary, in the writer's own list (read-your-writes) and not in another user's list
(read on the standby) — until replay resumes. Runs in `make test`'s PostgreSQL phase (about a
minute: migrating the new cluster is most of it); skipped without PostgreSQL's server programs."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.urls import resolve

from liangxin.core import dbrouting
from tests.factories import PASSWORD
from tests.production import pgcluster, pgsite
from tests.production.webclient import Browser

LIST = "/registry/organizations/"
COCKPIT = "/cockpit/"
STICKY = 2  # seconds a writer's reads stay on the primary, shortened for the test
DATABASE = "liangxin"
PROBE = f"[{DATABASE}/pytest-probe]"  # the standby's log line prefix of this test's own queries

SEED = """
from tests.factories import make_user
from tests.registry.factories import make_org
make_user("jz_writer", role="county", region="360802")
make_user("jz_reader", role="county", region="360802")
make_org("吉州区副本前已有公司")
"""


@pytest.fixture
def site(tmp_path):
    with pgcluster.clusters() as made:
        primary = made.primary("primary")
        with primary.connect() as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        env = pgsite.environment(tmp_path / "var", DATABASE, LIANGXIN_REPLICA_STICKY_SECONDS=str(STICKY))
        env["DATABASE_URL"] = primary.url(DATABASE)
        pgsite.prepare(env, SEED)
        standby = made.standby(primary, "standby", log_statement="all", log_line_prefix="'[%d/%a] '")
        pgcluster.wait_for(lambda: streaming(primary), "备库开始流复制")
        env["LIANGXIN_REPLICA_URL"] = standby.url(DATABASE)
        with pgsite.serve(env, tmp_path / "serve.log") as (base, _):
            yield SimpleNamespace(base=base, primary=primary, standby=standby)


def streaming(primary: pgcluster.Cluster) -> bool:
    with primary.connect() as conn:
        return (
            conn.execute("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").fetchone()[0]
            == 1
        )


def count(cluster: pgcluster.Cluster, sql: str) -> int:
    with cluster.connect(DATABASE, application_name="pytest-probe") as conn:
        return conn.execute(sql).fetchone()[0]


def site_lines(site, offset: int = 0) -> list[str]:
    """The standby's log lines about the site's own connections (not this test's probes)."""
    return [
        line
        for line in site.standby.log_since(offset)
        if line.startswith(f"[{DATABASE}/") and not line.startswith(PROBE)
    ]


def on_the_standby(site, browser: Browser, path: str) -> list[str]:
    """Opens `path` (it must answer 200) and returns the site's statements the standby ran meanwhile."""
    offset = site.standby.log_size()
    page = browser.get(path)
    assert page.status == 200, page.text[:2000]
    return [line for line in site_lines(site, offset) if "statement:" in line]


def _new_org(browser: Browser) -> None:
    from tests.registry.factories import credit_code

    browser.get("/registry/organizations/new/")
    page = browser.post(
        "/registry/organizations/new/",
        {"credit_code": credit_code(serial=7001), "name": "吉州区刚录入公司", "region": "360802001",
         "status": "存续", "version": "new"},
    )  # fmt: skip
    assert page.status == 302, page.text[:2000]


NEW = "SELECT count(*) FROM registry_organization WHERE name = '吉州区刚录入公司'"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="在 make test 的 PostgreSQL 阶段运行（自带主库与备库）"
)
def test_a_streaming_standby_serves_the_lists_and_a_writer_reads_their_own_change(site):
    reader, writer = Browser(site.base), Browser(site.base)
    reader.login("jz_reader", PASSWORD)
    writer.login("jz_writer", PASSWORD)
    time.sleep(STICKY + 0.5)  # logging in was a write: let both users' read-your-writes window pass

    # The named pages run their queries on the standby; a page not named does not.
    listed = on_the_standby(site, reader, LIST)
    assert any("registry_organization" in line for line in listed), listed
    assert on_the_standby(site, reader, COCKPIT)
    existing = count(site.primary, "SELECT id FROM registry_organization WHERE name = '吉州区副本前已有公司'")
    assert on_the_standby(site, reader, f"/registry/organizations/{existing}/") == []

    # Replay paused: what is written now reaches the primary only.
    with site.standby.connect(application_name="pytest-probe") as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
    pgcluster.wait_for(
        lambda: count(site.standby, "SELECT pg_get_wal_replay_pause_state() = 'paused'"), "备库暂停回放"
    )
    _new_org(writer)  # saved: the write went to the primary (the standby refuses writes)
    assert (count(site.primary, NEW), count(site.standby, NEW)) == (1, 0)

    own = writer.get(LIST)  # read-your-writes: the writer's list is read on the primary
    assert own.status == 200 and "吉州区刚录入公司" in own.text and "吉州区副本前已有公司" in own.text
    other = reader.get(LIST)  # another user's list is read on the (paused) standby
    assert (
        other.status == 200 and "吉州区副本前已有公司" in other.text and "吉州区刚录入公司" not in other.text
    )

    time.sleep(STICKY + 0.5)  # the writer's window has passed: their list is read on the standby too
    assert "吉州区刚录入公司" not in writer.get(LIST).text

    # Replay resumed: the standby catches up and every reader sees the new organization.
    with site.standby.connect(application_name="pytest-probe") as conn:
        conn.execute("SELECT pg_wal_replay_resume()")
    pgcluster.wait_for(lambda: pgcluster.caught_up(site.primary, site.standby, DATABASE), "备库追上主库")
    assert "吉州区刚录入公司" in reader.get(LIST).text
    assert "吉州区刚录入公司" in writer.get(LIST).text

    # The site never wrote to the standby, nor had a statement refused there.
    statements = [line.split("statement: ", 1)[-1].lstrip() for line in site_lines(site)]
    assert not [s for s in statements if s.upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert not [line for line in site_lines(site) if "ERROR:" in line]


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_the_router_sends_writes_and_reads_in_a_transaction_to_the_primary(
    settings, transactional_db, django_db_blocker
):
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
