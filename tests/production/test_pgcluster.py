"""`pgcluster`, the loopback clusters of the replica and province tests, leaves nothing running:
a test that fails inside the `with` block still has its clusters stopped, their processes gone,
their ports free and their directory removed."""

from __future__ import annotations

import socket

import pytest
from django.db import connection

from tests.production import pgcluster

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="在 make test 的 PostgreSQL 阶段运行（自带 PostgreSQL 集群）"
)


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_clusters_are_stopped_and_removed_even_when_the_test_fails():
    with pytest.raises(AssertionError, match="the test failed"), pgcluster.clusters() as made:
        primary = made.primary("primary")
        standby = made.standby(primary, "standby")
        with standby.connect() as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        running = [(cluster.pid(), cluster.port) for cluster in (primary, standby)]
        root = made.root
        assert all(_answers(port) for _, port in running)
        raise AssertionError("the test failed")
    assert not any(pgcluster.running(pid) for pid, _ in running)
    assert not any(_answers(port) for _, port in running)
    assert not root.exists()
