"""Fast bulk writes for imports: plain INSERT/UPDATE through executemany.

Django's bulk_create compiles every value through the field machinery, which costs more than
the database itself at a million rows. These helpers take values that are already valid and
adapt only the types that need it (dates, datetimes) once per value, in the same way on SQLite
and PostgreSQL.
"""

from __future__ import annotations

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

    def adapt(row: Sequence[Any]) -> tuple:
        values = list(row)
        for i in dates:
            if values[i] is not None:
                values[i] = ops.adapt_datefield_value(values[i])
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


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT rows of values for `fields` (model field names)."""
    columns = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 (quoted names)
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
