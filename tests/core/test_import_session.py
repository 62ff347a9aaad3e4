"""An import's database session on SQLite: large caches and no zeroing of its own temp pages while
it runs, then the connection's own settings again (other requests share the connection)."""

import pytest
from django.db import connection

from liangxin.core.import_db import bulk_session


def pragma(name: str):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's PRAGMAs")
def test_the_session_sets_its_pragmas_and_puts_the_connections_own_back():
    before = {name: pragma(name) for name in ("main.cache_size", "temp.cache_size", "temp.secure_delete")}
    with bulk_session():
        assert pragma("main.cache_size") == -262144 and pragma("temp.cache_size") == -131072
        assert pragma("temp.secure_delete") == 0
    assert {name: pragma(name) for name in before} == before
