"""Domain events for the outside world (webhooks): a service that makes a change announces it
with `emit(name, payload)`, which sends after the transaction commits (nothing for a change
rolled back). `core` knows no listener; the API app connects one in its ``ready()``."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

# kwargs: name (e.g. "followup.opened"), payload (JSON-ready dict)
event_happened = Signal()


def emit(name: str, payload: dict[str, Any]) -> None:
    transaction.on_commit(lambda: event_happened.send(sender=None, name=name, payload=payload))
