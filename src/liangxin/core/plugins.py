"""The optional per-app modules the core looks for (``<app>.nav``, ``<app>.todo``,
``<app>.audit_labels``, ``<app>.demo``): how the core learns of domains it does not import."""

from __future__ import annotations

import importlib
from types import ModuleType

from django.apps import apps


def app_modules(name: str) -> list[ModuleType]:
    """``liangxin.<app>.<name>`` of every installed liangxin app that has one, in app order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("liangxin."):
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
    return found
