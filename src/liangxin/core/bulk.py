"""Fast bulk writes for imports: plain INSERT/UPDATE through executemany.

Django's bulk_create compiles every value through the field machinery, which costs more than
the database itself at a million rows. These helpers take values that are already valid and
adapt only the types that need it (dates, datetimes) once per value, in the same way on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Sequence
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


class Staging:
    """A TEMP table of this connection holding an import's rows until they are merged.

    An import validates its file and writes what it will change here, outside its write
    transaction: PostgreSQL takes the rows with `COPY`, SQLite keeps them in the connection's
    temp database (writing there takes no lock on the main database). The import then merges
    them into the real tables with one statement per table, inside one short transaction, and
    drops the table. No DDL ever touches a real table, so readers and other writers are never
    blocked for longer than that final transaction."""

    def __init__(self, name: str, columns: Sequence[tuple[str, str]]):
        # (column, type) pairs; the type is PostgreSQL's (SQLite takes any)
        self.name = f"lx_stage_{name}"
        self.table = connection.ops.quote_name(self.name)
        self.columns = [connection.ops.quote_name(c) for c, _ in columns]
        self.types = [t for _, t in columns]
        # the types by name for a binary COPY: "varchar(18)" → "varchar"
        self.copy_types = [re.sub(r"\(.*\)", "", t).strip() for t in self.types]
        self.rows = 0

    def create(self) -> Staging:
        body = ", ".join(f"{c} {t}" for c, t in zip(self.columns, self.types, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(f"CREATE TEMP TABLE {self.table} ({body})")
        self.rows = 0
        return self

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")  # its indexes with it

    def index(self, column: str) -> None:
        """Index the staged rows by `column` once the last chunk is in (outside the write
        transaction): a merge in that order then reads them through the index instead of
        sorting them while others wait."""
        name = connection.ops.quote_name(f"{self.name}_{column}")
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX {name} ON {self.table} ({connection.ops.quote_name(column)})")

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        """Append rows of already adapted values, in column order."""
        if not rows:
            return
        self.rows += len(rows)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Binary, each column's type given: no value is formatted as text and parsed
                # again (a third of the client's and most of the server's COPY work).
                columns = ", ".join(self.columns)
                with cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(self.copy_types)
                    for row in rows:
                        copy.write_row(row)
                return
            sql = f"INSERT INTO {self.table} VALUES ({', '.join(['%s'] * len(self.columns))})"  # noqa: S608
            own = connection.get_autocommit()  # one short transaction on the temp database only
            if own:
                cursor.execute("BEGIN DEFERRED")
            try:
                cursor.executemany(sql, rows)
            finally:
                if own:
                    cursor.execute("COMMIT")


def staging_columns(model: type[models.Model], fields: Sequence[str]) -> list[tuple[str, str]]:
    """(column, PostgreSQL type) of model fields, for a `Staging` table shaped like the model's."""
    out = []
    for name in fields:
        field = model._meta.get_field(name)
        kind = field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
        out.append((field.column, kind or "text"))
    return out


def db_values(objs: Iterable[models.Model], fields: Sequence[str]) -> list[tuple]:
    """Unsaved model instances as rows of database values for `fields` (as bulk_create prepares
    them: auto_now_add set, JSON encoded)."""
    if not objs:
        return []
    meta = next(iter(objs))._meta
    prepared = [meta.get_field(name) for name in fields]
    return [
        tuple(f.get_db_prep_save(f.pre_save(obj, add=True), connection=connection) for f in prepared)
        for obj in objs
    ]


def _rows_in(
    model: type[models.Model], fields: Sequence[str], key: str, keys: Sequence[Any], where: str, batch: int
) -> Iterator[tuple]:
    """The raw rows (values of `fields`) whose `key` is one of `keys`, a batch of keys a query.
    PostgreSQL gets the keys as one array (``= ANY(%s::type[])``): planning an IN list of
    thousands of placeholders costs more than the lookup itself, and the column's own type lets
    the planner use its index."""
    columns = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    key_column = _columns(model, [key])[0]
    key_type = staging_columns(model, [key])[0][1]
    select = f"SELECT {', '.join(columns)} FROM {table} WHERE "  # noqa: S608 (quoted names)
    extra = f" AND {where}" if where else ""
    with connection.cursor() as cursor:
        for start in range(0, len(keys), batch):
            part = list(keys[start : start + batch])
            if connection.vendor == "postgresql":
                cursor.execute(f"{select}{key_column} = ANY(%s::{key_type}[]){extra}", [part])
            else:
                cursor.execute(f"{select}{key_column} IN ({', '.join(['%s'] * len(part))}){extra}", part)
            yield from cursor.fetchall()


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
    dates = [
        i for i, name in enumerate(fields) if model._meta.get_field(name).get_internal_type() == "DateField"
    ]
    out: list[dict[str, Any]] = []
    for row in _rows_in(model, fields, key, keys, where, batch):
        if dates:
            row = list(row)
            for i in dates:
                if isinstance(row[i], str):
                    row[i] = datetime.date.fromisoformat(row[i])
        out.append(dict(zip(fields, row, strict=True)))
    return out


def value_of(
    model: type[models.Model],
    key: str,
    value: str,
    keys: Sequence[Any],
    *,
    where: str = "",
    batch: int = 2000,
) -> dict[Any, Any]:
    """{key: value} for the rows whose `key` is one of `keys` (a plain column `value`, no dates):
    `select_in` for a lookup table, without a dict per row."""
    return dict(_rows_in(model, (key, value), key, keys, where, batch))
