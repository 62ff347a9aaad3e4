"""Must show (issue 12): the demo's May 2022 bulletin as the office publishes it is a 公文, and its
PDF looks like the Word file.

The demo is loaded once for this module inside a transaction rolled back before the tests run.
The office saves the 公文 parts for May (抄送; the rest default), publishes on 2022-06-06, and the
published .docx is converted by LibreOffice with the package's fontconfig mapping, then rendered
to images by pdftoppm. The tests read the document, the PDF's text and fonts, and the pixels.
"""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from docx.oxml.ns import qn

from liangxin.documents import pdf, publishing
from liangxin.documents.letterhead import default_office
from tests.documents import format_checks, pdf_layout

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        pdf.soffice() is None or not all(shutil.which(t) for t in ("pdftotext", "pdftoppm", "pdffonts")),
        reason="LibreOffice or poppler-utils is not installed (make office): "
        "apt-get install -y libreoffice-writer-nogui poppler-utils fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming",
    ),
]

MAY = datetime.date(2022, 5, 1)
PUBLISHED_ON = datetime.date(2022, 6, 6)
COPY_TO = "市委组织部、市委办公室"
COPY_LINE = "抄送：市委组织部，市委办公室。"


@dataclass
class Published:
    docx: Path
    pdf: Path
    office: str
    number: str
    title: str


@pytest.fixture(scope="module")
def published_may(django_db_setup, django_db_blocker, tmp_path_factory) -> Published:
    folder = tmp_path_factory.mktemp("gongwen-may")
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        time_machine.travel(datetime.datetime(2022, 6, 6, 10, tzinfo=datetime.UTC), tick=False),
    ):
        cache.clear()
        call_command("demo", stdout=io.StringIO())
        publishing.save_letterhead(period=MAY, as_of=datetime.date(2022, 5, 31), actor=None, copy_to=COPY_TO)
        bulletin = publishing.publish(
            period=MAY, as_of=datetime.date(2022, 5, 31), issue_date=PUBLISHED_ON, actor=None
        )
        source = folder / "通报.docx"
        source.write_bytes(bytes(bulletin.docx))
        result = Published(
            docx=source,
            pdf=pdf.convert_to_pdf(source, folder),
            office=default_office(),
            number=f"第{bulletin.issue_number}期",
            title=publishing.stored_bulletin(bulletin).title,
        )
        transaction.set_rollback(True)
    cache.clear()
    return result


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _pixels(pdf_path: Path, page: int, folder: Path) -> tuple[int, int, bytes]:
    """Page `page` at 50 dpi as raw RGB (a binary PPM: header, then width × height × 3 bytes)."""
    stem = folder / f"page{page}"
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", str(page), "-l", str(page), "-singlefile", str(pdf_path), str(stem)],
        check=True,
    )
    data = stem.with_suffix(".ppm").read_bytes()
    magic, width, height, depth, body = data.split(maxsplit=4)
    assert magic == b"P6" and depth == b"255"
    return int(width), int(height), body


def _is_red(r: int, g: int, b: int) -> bool:
    return r > 180 and g < 90 and b < 90


def _red_rows(width: int, height: int, body: bytes) -> list[int]:
    rows = []
    for y in range(height):
        line = body[y * width * 3 : (y + 1) * width * 3]
        if any(_is_red(*line[x : x + 3]) for x in range(0, len(line), 3)):
            rows.append(y)
    return rows


def docx_text(path: Path) -> tuple[list[str], str]:
    """The body paragraphs outside tables, and every character of the body in document order."""
    document = docx.Document(path)
    body = document.element.body
    paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iterchildren(qn("w:p"))]
    everything = "".join(t.text or "" for t in body.iter(qn("w:t")))
    return [p for p in paragraphs if p.strip()], everything


def pdf_text(path: Path) -> str:
    """The PDF's text without whitespace and without the page numbers “— 3 —”."""
    text = _run("pdftotext", str(path), "-")
    return re.sub(r"\s+", "", re.sub(r"—\s*\d+\s*—", "", text))


def test_the_published_docx_is_a_complete_gongwen(published_may):
    document = docx.Document(published_may.docx)
    assert published_may.number == "第1期"  # nothing published earlier in 2022 in the demo
    format_checks.check_letterhead(document, published_may.office, published_may.number)
    format_checks.check_imprint(
        document, published_may.office, "2022年6月6日", "抄送：市委组织部，市委办公室。"
    )
    format_checks.check_heading_styles(document)
    format_checks.check_properties(document, published_may.title, published_may.office)
    signature = [p.text for p in document.paragraphs if p.style.style_id == "Signature" and p.text]
    assert signature == [published_may.office, "2022年6月6日"]  # 成文日期: the publication day


def test_the_pdf_has_the_red_letterhead_and_line_at_the_top_of_the_first_page(published_may, tmp_path):
    width, height, body = _pixels(published_may.pdf, 1, tmp_path)
    red = _red_rows(width, height, body)
    assert red, "no red on the first page"
    # all red is in the upper half: the 发文机关标志 and, below it, the separator line
    assert max(red) < height * 0.5
    top, line = red[0], red[-1]
    assert line - top > 20  # the line is well below the name
    # the line runs across the text block (156 of 210 mm) and is red from end to end
    row = body[line * width * 3 : (line + 1) * width * 3]
    reds = [x for x in range(width) if _is_red(*row[x * 3 : x * 3 + 3])]
    assert (reds[-1] - reds[0]) / width > 0.7
    # later pages have no red
    width, height, body = _pixels(published_may.pdf, 2, tmp_path)
    assert _red_rows(width, height, body) == []


def test_the_pdf_shows_the_issue_number_and_the_imprint(published_may):
    text = pdf_text(published_may.pdf)
    assert text.startswith(f"{published_may.office}{published_may.number}关于2022年5月")
    assert text.endswith(f"抄送：市委组织部，市委办公室。{published_may.office}2022年6月6日印发")


def test_the_pdf_says_every_character_of_the_docx_and_loses_no_punctuation(published_may):
    """LibreOffice 7.4 lost a ；or ： it hung past a full line's end; the template turns its
    hanging off (documents.wordml.no_hanging_punctuation)."""
    paragraphs, everything = docx_text(published_may.docx)
    text = pdf_text(published_may.pdf)
    for paragraph in paragraphs:  # in order, line ends and all: a dropped 、 breaks the match
        assert re.sub(r"\s+", "", paragraph) in text, paragraph
    lost = Counter(re.sub(r"\s+", "", everything)) - Counter(text)
    assert lost == Counter()
    assert text.count("、") >= everything.count("、") > 20


def test_the_imprint_lies_at_the_foot_of_the_last_page_below_the_signature(published_may, tmp_path):
    pdf_layout.check_imprint_at_the_foot(
        published_may.pdf, tmp_path, office=published_may.office, date="2022年6月6日", copy_to=COPY_LINE
    )


def test_each_gongwen_font_is_set_in_its_own_free_face(published_may):
    fonts = _run("pdffonts", str(published_may.pdf))
    for font, face in pdf.SUBSTITUTES.items():
        assert re.search(face, fonts), f"{font} is not set in {face}:\n{fonts}"
    assert "DejaVu" not in fonts  # nothing fell back to the default face


def test_every_page_but_the_last_reaches_the_foot_of_the_text_block(published_may, tmp_path):
    """22 lines a page (GB/T 9704-2012 7.1): with LibreOffice's widow/orphan control pages ended
    one to three lines short before a heading or a paragraph's last lines (wordml.full_pages);
    a page may still end early where the task table's next row, which cannot split, does not fit."""
    pdf_layout.check_full_pages(published_may.pdf, tmp_path)
