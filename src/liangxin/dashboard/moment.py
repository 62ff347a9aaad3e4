"""The one moment the whole cockpit answers for: a dispatch period and an as-of date.

Every chart, tile and export of one page reads the same `Moment`, and its title says which. A
date given in the address wins; otherwise the date is the period's own as-of date, the one its
bulletin and `dispatch_status` use (a past month as it closed, the running month today), so
“2022年5月调度” shows May's lights as of 2022-05-31, never today's."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from liangxin.dispatch.models import Period
from liangxin.dispatch.periods import default_as_of
from liangxin.documents.bulletin import chinese_date


@dataclass(frozen=True)
class Moment:
    period: Period | None
    as_of: datetime.date
    chosen_date: bool  # the date was given, not derived from the period

    @property
    def date_label(self) -> str:
        return f"截至{chinese_date(self.as_of)}"

    def title(self, base: str, *, dispatch: bool = False) -> str:
        """“各单位报送率（2022年5月调度，截至2022年5月31日）”."""
        if dispatch and self.period is not None:
            return f"{base}（{self.period}调度，{self.date_label}）"
        return f"{base}（{self.date_label}）"

    def as_json(self) -> dict:
        return {
            "period": self.period.key if self.period else None,
            "period_label": f"{self.period}调度" if self.period else "",
            "as_of": self.as_of.isoformat(),
        }


def resolve(period_key: str, date_text: str, *, dispatch: bool = True) -> tuple[Moment, list[str]]:
    """The moment asked for by `?period=YYYY-MM&as_of=YYYY-MM-DD` (both optional) and the
    Chinese messages about what could not be read. Without a period the latest one is used;
    `dispatch=False` (a user who sees no dispatch cells) uses no period at all."""
    errors: list[str] = []
    period = None
    period_key, date_text = period_key.strip(), date_text.strip()
    if dispatch:
        period = Period.objects.select_related("plan").first()
        if period_key:
            try:
                month = datetime.date.fromisoformat(f"{period_key}-01")
            except ValueError:
                errors.append(f"调度期“{period_key}”格式不对，应为 YYYY-MM，已显示最近一期")
            else:
                period = Period.objects.select_related("plan").filter(month=month).first()
                if period is None:
                    errors.append(f"调度期“{period_key}”不存在")
    default = default_as_of(period) if period is not None else timezone.localdate()
    if date_text:
        try:
            return Moment(period, datetime.date.fromisoformat(date_text), True), errors
        except ValueError:
            errors.append(f"截至日期“{date_text}”格式不对，应为 YYYY-MM-DD，已按{chinese_date(default)}统计")
    return Moment(period, default, False), errors
