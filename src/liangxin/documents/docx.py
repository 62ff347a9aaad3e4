"""The bulletin as a Word document: a BulletinData rendered through a docxtpl template.

The shipped template (templates_docx/bulletin.docx, built by build_template.py) is in 公文 format;
an office replaces it with its own by uploading one on the period's page (template_upload.py) or
through the LIANGXIN_BULLETIN_TEMPLATE setting. Every value handed to the template is already
formatted text, so a template needs no filters. The content's keys come from BulletinData; the
公文's own parts (版头, 主送, 署名, 成文日期, 版记) are under `meta` (letterhead.Letterhead).
"""

from __future__ import annotations

import datetime
import io
import itertools
from pathlib import Path
from typing import Any

from django.conf import settings
from docx.shared import Pt, Twips
from docxtpl import DocxTemplate

from . import annex
from . import bulletin as b
from .letterhead import Letterhead
from .wordml import (
    SIZE_LETTERHEAD,
    TEXT_W_PT,
    chinese_language,
    full_pages,
    no_hanging_punctuation,
    reproducible,
)

DEFAULT_TEMPLATE = Path(__file__).with_name("templates_docx") / "bulletin.docx"
CHAR_TWIPS = 315  # one 3号 character as the template sets it: 16 pt condensed by 0.25 pt


class TemplateProblem(Exception):
    """The configured template cannot be used; the message says which file and why (Chinese)."""


def template_path() -> Path:
    """The configured template: settings.LIANGXIN_BULLETIN_TEMPLATE when set, else the shipped one."""
    configured = settings.LIANGXIN_BULLETIN_TEMPLATE
    return Path(configured) if configured else DEFAULT_TEMPLATE


def uploaded_template() -> tuple[str, bytes] | None:
    """(name, bytes) of the template the office uploaded last, or None (then template_path())."""
    from .models import BulletinTemplate

    row = BulletinTemplate.objects.order_by("-uploaded_at", "-pk").only("name", "content").first()
    return (row.name, bytes(row.content)) if row else None


def letterhead_of(data: b.BulletinData) -> Letterhead:
    """The 公文 parts a BulletinData implies when nobody chose them: its issuer signs and issues
    it on its issue date, under its 发文字号 if it has one."""
    return Letterhead(
        office=data.issuer,
        number=data.doc_number,
        recipients=data.recipients,
        signer=data.issuer,
        signed_on=data.issue_date,
    )


def _coverage_row(row: b.CoverageRow) -> dict[str, str]:
    return {
        "name": row.name,
        "in_scope": b.format_number(row.in_scope),
        "org_rate": b.format_percent(row.org_rate),
        "org_rate_change": b.format_points(row.org_rate_change),
        "single_rate": b.format_percent(row.single_rate),
        "single_rate_change": b.format_points(row.single_rate_change),
        "work_rate": b.format_percent(row.work_rate),
        "work_rate_change": b.format_points(row.work_rate_change),
        "should_build": b.format_number(row.should_build),
        "uncovered": b.format_number(row.uncovered),
    }


def _rank(entry: b.RankEntry) -> dict[str, str]:
    return {"rank": str(entry.rank), "unit": entry.unit, "score": b.format_number(entry.score)}


def bulletin_context(data: b.BulletinData, letterhead: Letterhead | None = None) -> dict[str, Any]:
    """The template's variables (documented in the README under “通报模板变量”)."""
    o = data.overall
    meta = (letterhead or letterhead_of(data)).context()
    return {
        "meta": meta,
        "title": "\n".join(data.title_lines),  # docxtpl turns \n into a line break
        # The same parts under their first names, for templates written before `meta`.
        "doc_number": meta["number"],
        "recipients": meta["recipients"],
        "issuer": meta["signer"],
        "issue_date": meta["signed_on"],
        "period": data.period_label,
        "as_of": b.chinese_date(data.as_of),
        "intro": b.intro_paragraph(data),
        "overall_paragraphs": b.overall_paragraphs(data),
        "overall": {
            "task_count": str(o.task_count),
            "expected": str(o.expected),
            "earlier_done": str(o.earlier_done),
            "submitted": str(o.submitted),
            "on_time": str(o.on_time),
            "done": str(o.done),
            "green": str(o.green),
            "yellow": str(o.yellow),
            "red": str(o.red),
            "report_rate": b.format_percent(o.report_rate),
            "report_rate_change": b.format_points(o.report_rate_change),
            "on_time_rate": b.format_percent(o.on_time_rate),
            "on_time_rate_change": b.format_points(o.on_time_rate_change),
        },
        "coverage_paragraphs": b.coverage_paragraphs(data),
        "coverage_rows": [_coverage_row(row) for row in data.coverage],
        "coverage_total": _coverage_row(data.coverage_total),
        "rectification_paragraphs": b.rectification_paragraphs(data),
        "followup_paragraphs": annex.followup_paragraphs(data),
        "ledger_paragraphs": annex.ledger_paragraphs(data),
        "tasks_paragraph": b.tasks_paragraph(data),
        "tasks": [
            {
                "code": t.code,
                "title": t.title,
                "lead": t.lead,
                "light": t.light_label,
                "progress": t.progress,
            }
            for t in data.tasks
        ],
        "problems": [{"heading": h, "text": t} for h, t in b.problem_sections(data)],
        "rankings": [{"heading": h, "text": t} for h, t in b.ranking_sections(data)],
        "red_list": [_rank(e) for e in data.red_list],
        "black_list": [_rank(e) for e in data.black_list],
        "requirements": list(data.requirements),
    }


def text_width(text: str) -> float:
    """Width in 3号 characters: Chinese characters and full-width marks 1, digits and Latin ½,
    and the ¼ that Word and LibreOffice add where Chinese meets digits (autoSpaceDN)."""
    narrow = [ord(char) < 0x2E80 for char in text]
    boundaries = sum(1 for a, b_ in itertools.pairwise(narrow) if a != b_)
    return sum(0.5 if n else 1 for n in narrow) + 0.25 * boundaries


def signature_indents(issuer: str, date: str) -> tuple[float, float]:
    """Right indents, in characters, of 署名 and 成文日期 on a document without a seal
    (GB/T 9704-2012 7.3.5.2): 署名 two characters in from the right, the date one line below it
    starting two characters further right; a date longer than that goes two characters in and
    the 署名 moves left to keep the two-character step."""
    issuer_width, date_width = text_width(issuer), text_width(date)
    issuer_right = 2.0
    date_right = issuer_right + issuer_width - 2 - date_width
    if date_right < 2:
        date_right = 2.0
        issuer_right = date_right + date_width + 2 - issuer_width
    return issuer_right, date_right


def place_signature(document, meta: dict[str, str]) -> None:
    """Indent the rendered 署名 and 成文日期 paragraphs (style “Signature”) by their lengths."""
    signer, date = meta["signer"], meta["signed_on"]
    indents = dict(zip((signer, date), signature_indents(signer, date), strict=True))
    for paragraph in document.paragraphs:
        if paragraph.style.style_id == "Signature" and paragraph.text in indents:
            paragraph.paragraph_format.right_indent = Twips(round(indents[paragraph.text] * CHAR_TWIPS))


def fit_letterhead(document) -> None:
    """The 发文机关标志 on one line: a long office name is set smaller than the style's 36 pt."""
    for paragraph in document.paragraphs:
        if paragraph.style.style_id != "Letterhead" or not paragraph.text:
            continue
        fits = int(TEXT_W_PT / text_width(paragraph.text))
        size = Pt(min(SIZE_LETTERHEAD // 2, fits))
        for run in paragraph.runs:
            run.font.size = size


def _open_template(name: str, source: Any) -> DocxTemplate:
    if isinstance(source, Path) and not source.is_file():
        raise TemplateProblem(f"通报模板文件“{source}”不存在，请检查 LIANGXIN_BULLETIN_TEMPLATE 设置")
    return DocxTemplate(io.BytesIO(source) if isinstance(source, bytes) else str(source))


def render_bulletin(
    data: b.BulletinData,
    target: Any,
    *,
    template: Path | str | bytes | tuple[str, bytes] | None = None,
    letterhead: Letterhead | None = None,
) -> None:
    """Write the bulletin as .docx to a path or a binary stream. template: a path, the bytes of
    an uploaded one (or (name, bytes)); None: the configured or shipped file."""
    if template is None:
        template = template_path()
    if isinstance(template, tuple):
        name, source = template
    elif isinstance(template, bytes):
        name, source = "通报模板.docx", template
    else:
        name, source = Path(template).name, Path(template)
    letterhead = letterhead or letterhead_of(data)
    context = bulletin_context(data, letterhead)
    try:
        document = _open_template(name, source)
        # autoescape: names and progress text are user input; “<” or “&” must not break the XML.
        document.render(context, autoescape=True)
    except TemplateProblem:
        raise
    except Exception as error:  # docxtpl raises Jinja, XML and zip errors alike
        raise TemplateProblem(f"通报模板“{name}”无法生成文档：{error}") from error
    place_signature(document.docx, context["meta"])
    fit_letterhead(document.docx)
    chinese_language(document.docx)
    no_hanging_punctuation(document.docx)
    full_pages(document.docx)
    properties = document.docx.core_properties
    properties.title = data.title
    properties.author = properties.last_modified_by = letterhead.office
    properties.subject, properties.keywords, properties.comments = data.period_label, "通报", ""
    properties.language = "zh-CN"
    properties.created = properties.modified = datetime.datetime.combine(
        letterhead.signed_on, datetime.time()
    )
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    # The same data gives the same bytes, so a re-generated published bulletin can be compared.
    content = reproducible(buffer.getvalue(), company=letterhead.office)
    if hasattr(target, "write"):
        target.write(content)
    else:
        Path(target).write_bytes(content)
