"""A BulletinData as JSON and back, exactly: what a published bulletin stores, so that
re-generating it later gives the same document whatever has changed in the data since.

Decimals travel as strings (no binary rounding on the way), dates as ISO strings; the reader
rebuilds every dataclass from its type hints, so a new field needs no change here.
"""

from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from decimal import Decimal
from typing import Any

from . import bulletin as b

VERSION = 1


class SnapshotProblem(ValueError):
    """A stored bulletin cannot be read back; the message says why in Chinese."""


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _decode(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        if Decimal in options and isinstance(value, str):
            return Decimal(value)
        return _decode(options[0], value) if len(options) == 1 else value
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_decode(item, v) for v in value]
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind, vars(b))
        return kind(**{name: _decode(hints[name], v) for name, v in value.items()})
    if kind is datetime.date:
        return datetime.date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    return value


def bulletin_to_json(data: b.BulletinData) -> dict[str, Any]:
    """A JSON-ready dict of every figure and sentence input of the bulletin."""
    return {"version": VERSION, "bulletin": _encode(data)}


def bulletin_from_json(stored: dict[str, Any]) -> b.BulletinData:
    if not isinstance(stored, dict) or stored.get("version") != VERSION or "bulletin" not in stored:
        raise SnapshotProblem(f"已发布通报的存档格式无法识别（应为第{VERSION}版）")
    try:
        return _decode(b.BulletinData, stored["bulletin"])
    except (TypeError, ValueError, KeyError, ArithmeticError) as error:
        raise SnapshotProblem(f"已发布通报的存档已损坏，无法读取：{error}") from error
