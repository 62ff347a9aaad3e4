"""The parts of a 公文 around the bulletin's content (GB/T 9704-2012, domain.md §7).

版头: the issuing office's name in red (发文机关标志), the 期号 of the 调度通报 series (“第5期”) or a
发文字号, and the red separator line; 主送; 署名 and 成文日期; 版记: 抄送 and 印发机关和印发日期
between its lines. The figures and sentences are BulletinData's (bulletin.py); these are the
office's choices for one issue, edited on the period's page and frozen on publication. The
template reads them under `meta` (docx.bulletin_context), apart from the content's keys.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings

from liangxin.core.models import Installation

from .bulletin import DEFAULT_RECIPIENTS, chinese_date


def default_office() -> str:
    """发文机关 (and 署名, 印发机关) unless the office writes another on the page:
    LIANGXIN_BULLETIN_OFFICE, else “中共××市委党建工作领导小组办公室”."""
    configured = settings.LIANGXIN_BULLETIN_OFFICE.strip()
    if configured:
        return configured
    city = Installation.current_city()
    return f"中共{city.name if city else ''}委党建工作领导小组办公室"


def issue_label(number: int) -> str:
    """期号 of the 调度通报 series: “第5期” (numbered from 1 each year)."""
    return f"第{number}期"


def copy_to_line(names: str) -> str:
    """“抄送：市委组织部，市委办公室。” — names separated by the full-width comma and closed by a
    full stop (GB/T 9704-2012 7.4.2); "" when there is no 抄送."""
    parts = [p.strip() for p in names.replace("、", "，").replace(",", "，").split("，")]
    parts = [p.rstrip("。.；;") for p in parts if p.strip("。.；; ")]
    return f"抄送：{'，'.join(parts)}。" if parts else ""


@dataclass(frozen=True)
class Letterhead:
    office: str  # 发文机关标志 and 印发机关
    number: str  # “第5期” or a 发文字号 such as 吉两新办发〔2022〕5号
    recipients: str  # 主送, ending with “：”
    signer: str  # 署名
    signed_on: datetime.date  # 成文日期
    copy_to: str = ""  # 抄送, names separated by “，”
    printed_on: datetime.date | None = None  # 印发日期; the 成文日期 unless given

    @classmethod
    def defaults(cls, *, office: str, signed_on: datetime.date, number: str = "") -> Letterhead:
        return cls(
            office=office, number=number, recipients=DEFAULT_RECIPIENTS, signer=office, signed_on=signed_on
        )

    def context(self) -> dict[str, str]:
        """The template's `meta`: every value already formatted text."""
        recipients = self.recipients.strip()
        if recipients and recipients[-1] not in "：:":
            recipients += "："
        return {
            "office": self.office,
            "number": self.number,
            "recipients": recipients,
            "signer": self.signer,
            "signed_on": chinese_date(self.signed_on),
            "copy_to": copy_to_line(self.copy_to),
            "printer": self.office,
            "printed_on": f"{chinese_date(self.printed_on or self.signed_on)}印发",
        }
