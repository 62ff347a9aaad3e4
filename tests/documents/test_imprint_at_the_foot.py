"""The 版记 lies at the foot of the last page (GB/T 9704-2012 7.4.1: its last line on the bottom
edge of the text block), below the 署名 and 成文日期 and on the same page, however far down the
text ends. Each bulletin is rendered, converted by LibreOffice with the package's fonts, and its
last page read back with poppler (tests.documents.pdf_layout)."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from liangxin.documents import pdf
from liangxin.documents.docx import letterhead_of, render_bulletin
from tests.documents import pdf_layout
from tests.documents.factories import sample_bulletin

pytestmark = pytest.mark.skipif(
    pdf.soffice() is None or not all(shutil.which(t) for t in ("pdftotext", "pdftoppm", "pdfinfo")),
    reason="LibreOffice or poppler-utils is not installed (make office)",
)

OFFICE = "中共吉安市委党建工作领导小组办公室"
DATE = "2022年6月6日"


def render_pdf(data, folder, letterhead=None):
    source = folder / "通报.docx"
    render_bulletin(data, source, letterhead=letterhead)
    return pdf.convert_to_pdf(source, folder)


def test_a_short_bulletin_ends_with_its_text_its_signature_and_the_imprint_at_the_foot(tmp_path):
    # a longer 下步要求 carries the text well onto the last page, with room below it
    data = sample_bulletin(requirements=["一是抓落实。" + "各单位要对照任务清单逐项推进。" * 20])
    copy_to = "抄送：市委组织部，市委办公室。"
    letterhead = replace(letterhead_of(data), copy_to="市委组织部、市委办公室")
    words = pdf_layout.check_imprint_at_the_foot(
        render_pdf(data, tmp_path, letterhead), tmp_path, office=OFFICE, date=DATE, copy_to=copy_to
    )
    page = "".join(w.text for w in words)
    assert page.index("逐项推进。") < page.index(OFFICE)  # the 下步要求 ends on the same page


def test_when_the_last_page_is_full_signature_and_imprint_move_together_to_a_new_page(tmp_path):
    # the sample's text ends about four lines above the foot of page 4: room for the 署名 and
    # 成文日期, not for them and the 版记
    data = sample_bulletin()
    result = render_pdf(data, tmp_path)
    words = pdf_layout.check_imprint_at_the_foot(result, tmp_path, office=OFFICE, date=DATE)
    pages = pdf_layout.page_count(result)
    assert words[0].text == OFFICE  # the page starts with the 署名 (after the blank line)
    before = pdf_layout.words(result, pages - 1)
    assert "".join(w.text for w in before).endswith(data.requirements[-1])
    assert max(w.bottom for w in before) > pdf_layout.TEXT_BOTTOM - 45  # the text went far down
