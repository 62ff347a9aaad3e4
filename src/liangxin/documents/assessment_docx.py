"""The 年度考核 as a 公文 in the bulletin's format: the same page, styles, 版头, 署名 and 版记
(build_template's builder, docx's finishing steps), with the method and the ranked table."""

from __future__ import annotations

import datetime
import io
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docxtpl import DocxTemplate

from . import assessment as a
from .build_template import imprint, new_document, opening, para, table
from .bulletin import chinese_date, format_number
from .docx import fit_letterhead, place_signature
from .letterhead import Letterhead, default_office
from .wordml import chinese_language, full_pages, reproducible

# Headers of two lines at most (four characters a line in a 21 mm column with 1.5 mm cell
# margins): a header row of four lines, which cannot split and which the caption keeps with,
# with the first row did not fit below the summary, and the table left the page short.
HEADERS = ["名次", "单位", "月度平均分", "按期完成率（%）", "覆盖提高百分点", "台账成绩分", "考核得分"]
COLUMNS = [0, 1, 2, 6, 9, 10, 11]  # of assessment.table_rows
WIDTHS = [12, 39, 21, 21, 21, 21, 21]  # 156 mm, the text block's width
CELL_MARGIN = 85  # twips, 1.5 mm left and right (the table style's 1.9 mm leaves 3 characters)
FIELDS = ["rank", "unit", "avg", "done", "gain", "ledger", "score"]


def title(year: int) -> str:
    return f"关于{year}年度“两新”组织党建工作考核结果的通报"


def _template() -> bytes:
    document = new_document()
    full_pages(document)  # 22 lines a page, as the bulletin
    opening(document)
    para(document, "一、考核办法", "Heading1")
    para(document, "{{ method }}")
    para(document, "二、考核结果", "Heading1")
    para(document, "{{ summary }}")
    para(document, "表1  {{ year }}年度考核结果", "TableCaption")
    grid = table(document, HEADERS, WIDTHS, "rows", ["{{ row." + f + " }}" for f in FIELDS], left={1})
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(CELL_MARGIN))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    look = grid._tbl.tblPr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)  # schema order: … tblLayout, tblCellMar, tblLook
    else:
        grid._tbl.tblPr.append(margins)
    para(document, "三、有关要求", "Heading1")
    para(document, "{{ requirement }}")
    para(document, "", "Normal")
    para(document, "{{ meta.signer }}", "Signature")
    para(document, "{{ meta.signed_on }}", "Signature")
    imprint(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else format_number(value)


def summary(entries: list[a.UnitAssessment]) -> str:
    ranked = [e for e in entries if e.rank is not None]
    if not ranked:
        return "本年度各单位均无月度调度得分，未排名次。"
    average = sum(e.score for e in ranked) / len(ranked)
    first = [e.unit.name for e in ranked if e.rank == 1]
    text = (
        f"参加排名的单位共{len(ranked)}个，平均得分{format_number(average)}分，{'、'.join(first)}位列第一。"
    )
    unranked = len(entries) - len(ranked)
    return text + (f"另有{unranked}个单位无月度调度得分，不参与排名。" if unranked else "")


def render(
    year: int,
    as_of: datetime.date,
    entries: list[a.UnitAssessment],
    *,
    w: a.Weights | None = None,
    issued_on: datetime.date,
) -> bytes:
    """The 公文 as .docx bytes (the same entries give the same bytes)."""
    office = default_office()
    letterhead = Letterhead.defaults(office=office, signed_on=issued_on)
    rows = [dict(zip(FIELDS, (_text(r[c]) for c in COLUMNS), strict=True)) for r in a.table_rows(entries)]
    context = {
        "meta": letterhead.context(),
        "title": title(year),
        "year": str(year),
        "intro": (
            f"为推动“两新”组织党建工作各项任务落实，按照年度考核办法，对各成员单位和县（市、区）委组织部"
            f"{year}年度（截至{chinese_date(as_of)}）的工作进行了考核。现将考核结果通报如下。"
        ),
        "method": a.method_text(w),
        "summary": summary(entries),
        "rows": rows,
        "requirement": "各单位要对照考核结果查找差距、补齐短板，排名靠后的单位要认真分析原因、改进工作，"
        "推动“两新”组织党建工作全面提升。",
    }
    document = DocxTemplate(io.BytesIO(_template()))
    document.render(context, autoescape=True)  # unit names are user input
    place_signature(document.docx, context["meta"])
    fit_letterhead(document.docx)
    chinese_language(document.docx)
    properties = document.docx.core_properties
    properties.title, properties.subject, properties.keywords = title(year), f"{year}年度考核", "年度考核"
    properties.author = properties.last_modified_by = office
    properties.comments, properties.language, properties.revision = "", "zh-CN", 1
    properties.created = properties.modified = datetime.datetime.combine(issued_on, datetime.time())
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible(buffer.getvalue(), company=office)
