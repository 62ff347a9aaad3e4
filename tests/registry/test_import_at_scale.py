"""What keeps a large organizations import fast (issue 11), checked by its effect on the
database rather than by timing: PostgreSQL's statistics are refreshed after a large merge, so the
next import looks credit codes up through the index instead of scanning the table once per chunk."""

import pytest
from django.db import connection

from liangxin.core.bulk import select_in
from liangxin.core.importing import ImportContext, ImportFailed, run_import
from liangxin.registry import staging
from liangxin.registry.models import Organization
from tests.registry.test_import_beside_others import live_city, org_csv  # noqa: F401 (fixture)

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def _last_analyzed():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = %s",
            [Organization._meta.db_table],
        )
        return cursor.fetchone()[0]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_large_merge_refreshes_postgresql_statistics(live_city, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(staging, "ANALYZE_AFTER", 50)
    before = _last_analyzed()
    path = org_csv(tmp_path / "台账.csv", 60)
    report = run_import(path, ImportContext(actor=None, filename=path.name, source="command"))
    assert report.committed and report.sheets[0].created == 60
    after = _last_analyzed()
    assert after is not None and after != before
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Organization._meta.db_table])
        assert cursor.fetchone()[0] == 60  # the planner knows what the table holds


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_small_import_leaves_the_statistics_to_autovacuum(live_city, tmp_path):  # noqa: F811
    before = _last_analyzed()
    path = org_csv(tmp_path / "台账.csv", 5)
    assert run_import(path, ImportContext(actor=None, filename=path.name, source="command")).committed
    assert _last_analyzed() == before


@pytest.mark.django_db
def test_looking_codes_up_in_batches_finds_each_once(live_city, tmp_path):  # noqa: F811
    path = org_csv(tmp_path / "台账.csv", 30)
    run_import(path, ImportContext(actor=None, filename=path.name, source="command"))
    codes = list(Organization.objects.order_by("pk").values_list("credit_code", flat=True))
    asked = [*codes[:25], "91360802MA00000000", codes[0]]
    found = select_in(Organization, ("credit_code", "name"), "credit_code", asked, batch=7)
    assert sorted(r["credit_code"] for r in found) == sorted([*codes[:25], codes[0]])
    assert {r["name"] for r in found} == set(
        Organization.objects.filter(credit_code__in=codes[:25]).values_list("name", flat=True)
    )


@pytest.mark.django_db
def test_an_import_leaves_the_garbage_collector_as_it_found_it_even_when_it_fails(live_city, tmp_path):  # noqa: F811
    import gc

    before = gc.get_threshold()
    path = org_csv(tmp_path / "台账.csv", 3)
    assert run_import(path, ImportContext(actor=None, filename=path.name, source="command")).committed
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    broken = tmp_path / "坏.csv"  # read, then refused: no sheet is recognized
    broken.write_text("甲,乙\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFailed):
        run_import(broken, ImportContext(actor=None, filename=broken.name, source="command"))
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
