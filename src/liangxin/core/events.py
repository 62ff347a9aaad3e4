"""Domain events for the outside world (webhooks): a service that makes a change announces it
with `emit(name, payload)`, which sends after the transaction commits (nothing for a change
rolled back). `core` knows no listener; the API app connects one in its ``ready()``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.dispatch import Signal

# kwargs: name (e.g. "followup.opened"), payloads (JSON-ready dicts, one per occurrence)
event_happened = Signal()


def emit(name: str, payload: dict[str, Any]) -> None:
    emit_many(name, [payload])


def emit_many(name: str, payloads: list[dict[str, Any]] | Callable[[], list[dict[str, Any]]]) -> None:
    """Many occurrences of one event (an import opening thousands of follow-ups): one signal.
    `payloads` may be a function, called (after commit) only by a listener that wants them."""
    if payloads:
        transaction.on_commit(lambda: event_happened.send(sender=None, name=name, payloads=payloads))


class Parts:
    """Payloads in parts, each a function giving a list (an import announcing a million
    follow-ups: one signal, and a listener that wants the payloads reads them a part at a time).
    Called, it gives them all at once, like any `emit_many` function."""

    def __init__(self, parts: list[Callable[[], list[dict[str, Any]]]]):
        self.parts = parts

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __call__(self) -> list[dict[str, Any]]:
        return [payload for part in self.parts for payload in part()]
