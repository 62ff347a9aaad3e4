"""Optimistic locking for forms two people may edit at once (a report, a task, an organization).

A form carries the fingerprint of the values it was opened with (`VersionedForm.version`).
When it is saved, the caller locks the row, takes the values as they are now and calls `check`:
if someone saved in between, nothing is written and the form comes back with the user's own
input untouched, who saved and when, and each item where what is saved now differs from what
the user wrote (`EditConflict`). The form then carries the new fingerprint, so saving again
is a deliberate choice made after seeing the other person's version.

A fingerprint of the content, not a timestamp or a version column: it needs no migration,
notices changes made by imports and commands as well as by forms, and a save that changed
nothing visible is no conflict.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone

from liangxin.core.models import AuditLog

NEW = "new"  # the fingerprint of a record that did not exist when the form was opened


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return f"{value._meta.label_lower}:{value.pk}"
    if isinstance(value, list | tuple | set | models.QuerySet):
        return sorted(str(_plain(v)) for v in value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def fingerprint(values: dict[str, Any] | None) -> str:
    """The version of a record as a form shows it (`None`: no record yet)."""
    if values is None:
        return NEW
    text = json.dumps({k: _plain(v) for k, v in values.items()}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class Difference:
    label: str
    theirs: str
    yours: str


@dataclass
class EditConflict(Exception):
    """Someone saved the record after this form was opened; nothing was written."""

    what: str  # 这份报告, 该任务, 该组织
    by: str = ""
    at: datetime.datetime | None = None
    differences: list[Difference] = field(default_factory=list)
    version: str = NEW  # the record's fingerprint now: the form's next save overwrites knowingly

    def __str__(self) -> str:
        who = f"{self.by} 于 {timezone.localtime(self.at):%Y-%m-%d %H:%M} " if self.by and self.at else "他人"
        return (
            f"您打开本页后，{who}修改并保存了{self.what}。为免覆盖对方的修改，您的内容没有保存，"
            "仍在下方表单中；请核对下列不同之处，确认后再次保存即以您的内容为准。"
        )


def _field(source: forms.Form | type[models.Model] | None, name: str) -> tuple[str, dict]:
    """The label and choices of `name` on a form, or on a model (a service has no form)."""
    if isinstance(source, forms.Form) and name in source.fields:
        formfield = source.fields[name]
        return str(formfield.label or name), dict(getattr(formfield, "choices", None) or ())
    if isinstance(source, type) and issubclass(source, models.Model):
        try:
            modelfield = source._meta.get_field(name)
        except LookupError:
            return name, {}
        return str(getattr(modelfield, "verbose_name", name)), dict(getattr(modelfield, "flatchoices", ()))
    return name, {}


def _shown(value: Any, choices: dict) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, list | tuple | set | models.QuerySet):
        return "、".join(sorted(str(v) for v in value)) or "（空）"
    if isinstance(value, models.Model):
        return str(value)
    return str(choices.get(value, choices.get(str(value), value)))


def last_change(obj_type: str, obj_id: Any) -> tuple[str, datetime.datetime | None]:
    """Who last changed a record, and when (its latest audit record)."""
    log = (
        AuditLog.objects.filter(object_type=obj_type, object_id=str(obj_id))
        .exclude(action__endswith=".viewed")
        .order_by("-at", "-pk")
        .values("actor_name", "at")
        .first()
    )
    return (log["actor_name"] or "系统", log["at"]) if log else ("", None)


def check(
    version: str | None,
    current: dict[str, Any] | None,
    *,
    submitted: dict[str, Any],
    what: str,
    fields: forms.Form | type[models.Model] | None = None,
    audit_object: tuple[str, Any] | None = None,
) -> None:
    """Raise `EditConflict` when the record (`current`: its values now, read under the row
    lock; None when it does not exist) is no longer the one the form was opened with. `version`
    None or empty: the caller asked for no check (an import, the API). `fields`: the form (or
    the model) whose labels and choices name the differences."""
    if not version:
        return
    now = fingerprint(current)
    if now == version:
        return
    by, at = last_change(*audit_object) if audit_object else ("", None)
    differences = []
    for name, theirs in (current or {}).items():
        if name not in submitted:
            continue
        label, choices = _field(fields, name)
        shown_theirs, shown_yours = _shown(theirs, choices), _shown(submitted[name], choices)
        if shown_theirs != shown_yours:
            differences.append(Difference(label, shown_theirs, shown_yours))
    raise EditConflict(what=what, by=by, at=at, differences=differences, version=now)


class VersionedForm(forms.Form):
    """A form that remembers which version of the record it was opened with."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    conflict: EditConflict | None = None

    def show_conflict(self, conflict: EditConflict) -> None:
        """Keep the user's input, show the conflict, and carry the new version."""
        self.conflict = conflict
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = conflict.version
        self.add_error(None, str(conflict))
