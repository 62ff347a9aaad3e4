"""The office's own bulletin template: checked on upload, kept in the database, used in place of
the shipped one for every bulletin not yet published (a published one keeps its stored file).

A template is refused, with a Chinese message naming the fault, when it is not a zip, not a Word
document, too large or a zip bomb, encrypted, has a Jinja syntax error, lacks a placeholder the
bulletin needs, or cannot be rendered with a sample bulletin.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError

from liangxin.core import audit

from . import bulletin as b
from .docx import TemplateProblem, render_bulletin
from .letterhead import Letterhead
from .models import BulletinTemplate

MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 500
MAX_UNCOMPRESSED = 50 * 1024 * 1024
# What a template must show: the 版头 and 版记 (meta), the title, and each section's figures.
REQUIRED = {
    "meta": "公文要素（{{ meta.office }}、{{ meta.number }} 等）",
    "title": "标题 {{ title }}",
    "overall_paragraphs": "总体情况 {{ overall_paragraphs }}",
    "coverage_rows": "覆盖情况表 {{ coverage_rows }}",
    "tasks": "重点任务表 {{ tasks }}",
    "requirements": "下步要求 {{ requirements }}",
}


def _check_package(name: str, content: bytes) -> None:
    if not content:
        raise TemplateProblem(f"模板“{name}”是空文件（0 字节）")
    if len(content) > MAX_BYTES:
        raise TemplateProblem(f"模板“{name}”大小超过 {MAX_BYTES // 1024 // 1024} MB 上限")
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise TemplateProblem(
            f"模板“{name}”不是 Word 文档（.docx 是 zip 压缩包，这个文件不是）。"
            "如果是 .doc 或 WPS 格式，请用 Word/WPS 另存为“Word 文档 (*.docx)”后上传"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            entries = package.infolist()
            if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNCOMPRESSED:
                raise TemplateProblem(f"模板“{name}”解压后过大，疑似压缩炸弹，已拒绝")
            if any(e.flag_bits & 0x1 for e in entries):
                raise TemplateProblem(f"模板“{name}”已加密，请取消密码后再上传")
            names = {e.filename for e in entries}
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                kind = "（它是 Excel 表格）" if "xl/workbook.xml" in names else ""
                raise TemplateProblem(f"模板“{name}”不是 Word 文档：压缩包中没有 word/document.xml{kind}")
            package.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        raise TemplateProblem(f"模板“{name}”已损坏，无法读取：{error}") from error


def _placeholders(name: str, content: bytes) -> set[str]:
    try:
        template = DocxTemplate(io.BytesIO(content))
        return set(template.get_undeclared_template_variables())
    except TemplateSyntaxError as error:
        raise TemplateProblem(
            f"模板“{name}”中的 Jinja 标记有语法错误：{error.message}（请检查 {{{{ }}}} 与 {{% %}} 是否成对、拼写是否正确）"
        ) from error
    except Exception as error:  # docx XML that python-docx cannot parse
        raise TemplateProblem(f"模板“{name}”无法作为 Word 文档打开：{error}") from error


def sample_bulletin() -> tuple[b.BulletinData, Letterhead]:
    """A small bulletin with every section filled, to try a template on before accepting it."""
    day = datetime.date(2022, 6, 6)
    overall = b.OverallFigures(
        task_count=2, expected=4, submitted=3, on_time=2, done=1, green=1, yellow=1, red=1
    )
    row = b.CoverageRow("示例县", 10, Decimal("0.5"), Decimal("0.3"), Decimal("0.8"), 2, 2)
    data = b.BulletinData(
        year=2022,
        month=5,
        as_of=datetime.date(2022, 5, 31),
        issuer="示例办公室",
        issue_date=day,
        overall=overall,
        coverage=[row],
        coverage_total=row,
        tasks=[b.TaskRow("1", "示例任务", "示例单位", "green", "正常推进")],
        overdue=[b.ProblemTask("2", "示例逾期任务", ["示例单位"])],
        late_units=["示例单位"],
        red_list=[b.RankEntry(1, "示例单位", 98)],
        black_list=[b.RankEntry(2, "示例单位乙", 60)],
        requirements=["示例要求。"],
    )
    return data, Letterhead.defaults(office="示例办公室", signed_on=day, number="第1期")


def check_template(name: str, content: bytes) -> None:
    """Raise TemplateProblem naming the first fault of an uploaded template."""
    _check_package(name, content)
    found = _placeholders(name, content)
    missing = [label for key, label in REQUIRED.items() if key not in found]
    if missing:
        raise TemplateProblem(f"模板“{name}”缺少必需的占位符：{'；'.join(missing)}")
    data, letterhead = sample_bulletin()
    render_bulletin(data, io.BytesIO(), template=(name, content), letterhead=letterhead)


@transaction.atomic
def upload_template(*, name: str, content: bytes, actor) -> BulletinTemplate:
    """Check the template and make it the one bulletins are rendered with."""
    name = re.sub(r"[\\/]", "_", name or "通报模板.docx")[-200:]
    check_template(name, content)
    previous = BulletinTemplate.objects.first()
    template = BulletinTemplate.objects.create(
        name=name,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_at=timezone.now(),
        uploaded_by=actor,
    )
    audit.record(
        "documents.template.uploaded",
        actor=actor,
        object_type="documents.bulletintemplate",
        object_id=str(template.pk),
        object_repr=name,
        before={"template": previous.name if previous else "系统内置模板"},
        after={"template": name, "sha256": template.sha256, "bytes": len(content)},
    )
    return template


@transaction.atomic
def reset_template(*, actor) -> int:
    """Go back to the shipped template; the uploaded ones are removed (the audit log keeps them)."""
    names = list(BulletinTemplate.objects.values_list("name", flat=True))
    if not names:
        return 0
    BulletinTemplate.objects.all().delete()
    audit.record(
        "documents.template.reset",
        actor=actor,
        object_type="documents.bulletintemplate",
        object_id="",
        object_repr="通报模板",
        before={"templates": names},
        after={"template": "系统内置模板"},
    )
    return len(names)
