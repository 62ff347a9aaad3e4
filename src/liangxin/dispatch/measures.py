"""Enter once (减负): a task linked to a measure another ledger holds. The unit's monthly report
for the task is prefilled with the measure's current value and the records behind it; the unit
confirms or adds words instead of retyping facts the system holds.

The dispatch knows no ledger: each app registers its measures (`register`, from its
``AppConfig.ready()``). A task stores the measure's key, optionally with a parameter after a
colon (``coverage.org_rate:C`` — the 组织覆盖率 of industry section C).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class MeasureValue:
    """What a ledger says for one unit: a sentence, the records behind it, and a suggested
    进展状态/完成进度 (None: keep last month's)."""

    value: str
    lines: list[str] = field(default_factory=list)
    status: str | None = None
    percent: int | None = None

    def text(self, label: str, as_of: datetime.date) -> str:
        head = f"【系统数据·{label}，截至 {as_of:%Y年%m月%d日}】{self.value}"
        return "\n".join([head, *(f"{i}. {line}" for i, line in enumerate(self.lines, start=1))])


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    compute: Callable[[str, object, datetime.date], MeasureValue]  # (parameter, unit, as_of)
    parameters: Callable[[], list[tuple[str, str]]] | None = None  # (value, label), e.g. industries


_measures: dict[str, Measure] = {}


def register(measure: Measure) -> None:
    _measures[measure.key] = measure


def registered() -> list[Measure]:
    return sorted(_measures.values(), key=lambda m: m.key)


def split(key: str) -> tuple[str, str]:
    name, _, parameter = (key or "").partition(":")
    return name, parameter


def choices() -> list[tuple[str, str]]:
    """Every linkable measure (with each parameter), for the task form."""
    out = [("", "（不关联，由单位填写）")]
    for measure in registered():
        if measure.parameters is None:
            out.append((measure.key, measure.label))
        else:
            out += [
                (f"{measure.key}:{value}", f"{measure.label}：{label}")
                for value, label in measure.parameters()
            ]
    return out


def label(key: str) -> str:
    name, parameter = split(key)
    measure = _measures.get(name)
    if measure is None:
        return key
    return dict(choices()).get(key, measure.label if not parameter else f"{measure.label}：{parameter}")


def current(key: str, unit, as_of: datetime.date) -> MeasureValue | None:
    """The measure's value for the unit as of a date; None when the key is unknown (an app removed)."""
    name, parameter = split(key)
    measure = _measures.get(name)
    return measure.compute(parameter, unit, as_of) if measure else None
