"""Fast bulk writes for imports: plain INSERT/UPDATE through executemany.

Django's bulk_create compiles every value through the field machinery, which costs more than
the database itself at a million rows. These helpers take values that are already valid and
adapt only the types that need it (dates, datetimes) once per value, in the same way on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def _adapter(model: type[models.Model], fields: Sequence[str]):
    """A function adapting one row: only date and datetime columns need it."""
    kinds = [model._meta.get_field(name).get_internal_type() for name in fields]
    dates = [i for i, kind in enumerate(kinds) if kind == "DateField"]
    datetimes = [i for i, kind in enumerate(kinds) if kind == "DateTimeField"]
    if not dates and not datetimes:
        return tuple
    ops = connection.ops
    last: list[Any] = [None, None]

    adapted_dates: dict[Any, Any] = {}

    def adapt(row: Sequence[Any]) -> tuple:
        values = list(row)
        for i in dates:
            value = values[i]
            if value is not None:
                try:
                    values[i] = adapted_dates[value]
                except KeyError:  # rows repeat the same dates: adapt each once
                    values[i] = adapted_dates[value] = ops.adapt_datefield_value(value)
        for i in datetimes:
            value = values[i]
            if value is not None:
                if value is not last[0]:  # imports stamp every row with the same moment
                    last[:] = [value, ops.adapt_datetimefield_value(value)]
                values[i] = last[1]
        return tuple(values)

    return adapt


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    quote = connection.ops.quote_name
    return [quote(model._meta.get_field(name).column) for name in fields]


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]], *, adapted: bool = False
) -> None:
    """INSERT rows of values for `fields` (model field names). `adapted`: the rows are tuples
    whose dates and datetimes the caller has already adapted (`connection.ops`)."""
    columns = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 (quoted names)
    if adapted:
        batch = rows if isinstance(rows, list) else list(rows)
    else:
        adapt = _adapter(model, fields)
        batch = [adapt(row) for row in rows]
    if batch:
        with connection.cursor() as cursor:
            cursor.executemany(sql, batch)


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """UPDATE … SET fields WHERE pk: each row is (*values, pk)."""
    columns = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    sql = f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in columns)} WHERE {pk} = %s"  # noqa: S608
    adapt = _adapter(model, [*fields, model._meta.pk.name])
    batch = [adapt(row) for row in rows]
    if batch:
        with connection.cursor() as cursor:
            cursor.executemany(sql, batch)


class DeferredIndexes:
    """Drop the secondary (non-unique) indexes of some tables and build them again later.

    Loading a large file into a table with many indexes updates every index row by row; building
    an index once over the loaded rows is several times cheaper. Use it inside the import's
    transaction: SQLite and PostgreSQL both roll DDL back, so a failed or dry run leaves the
    indexes as they were. The definitions are read from the database itself, so the indexes come
    back exactly as the migrations made them. Unique indexes stay (they guard the data)."""

    def __init__(self, *models: type[models.Model]):
        self.tables = [m._meta.db_table for m in models]
        self.saved: list[tuple[str, str]] = []

    def _definitions(self, cursor, table: str) -> list[tuple[str, str]]:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
                [table],
            )
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            return []
        return [(name, sql) for name, sql in cursor.fetchall() if "UNIQUE" not in sql.upper().split("(")[0]]

    def drop(self) -> None:
        if self.saved:
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table in self.tables:
                for name, sql in self._definitions(cursor, table):
                    cursor.execute(f"DROP INDEX {quote(name)}")
                    self.saved.append((name, sql))

    def restore(self) -> None:
        with connection.cursor() as cursor:
            for _, sql in self.saved:
                cursor.execute(sql)
        self.saved = []


def select_in(
    model: type[models.Model],
    fields: Sequence[str],
    key: str,
    keys: Sequence[Any],
    *,
    where: str = "",
    batch: int = 2000,
) -> list[dict[str, Any]]:
    """Rows of `model` whose `key` is one of `keys`, as dicts of `fields` (attribute names).

    The same as ``filter(key__in=keys).values(*fields)`` without the ORM's per-value work, for
    imports that look up thousands of keys per chunk. Values come back as the ORM gives them
    (dates as dates on SQLite too). `where` is extra SQL without user input."""
    columns = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    key_column = _columns(model, [key])[0]
    dates = [
        i for i, name in enumerate(fields) if model._meta.get_field(name).get_internal_type() == "DateField"
    ]
    out: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(keys), batch):
            part = keys[start : start + batch]
            sql = (
                f"SELECT {', '.join(columns)} FROM {table} WHERE {key_column} IN ({', '.join(['%s'] * len(part))})"  # noqa: S608
                + (f" AND {where}" if where else "")
            )
            cursor.execute(sql, list(part))
            for row in cursor.fetchall():
                if dates:
                    row = list(row)
                    for i in dates:
                        if isinstance(row[i], str):
                            row[i] = datetime.date.fromisoformat(row[i])
                out.append(dict(zip(fields, row, strict=True)))
    return out
