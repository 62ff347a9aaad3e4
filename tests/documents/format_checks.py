"""The 公文 format of a bulletin .docx (GB/T 9704-2012, domain.md §7), checked in its XML.

Each check takes a python-docx Document; test_docx runs them on a sample bulletin and
test_demo_bulletin on the May 2022 bulletin of the demo data.
"""

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from lxml import etree


def east_asian_font(element) -> str | None:
    fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts")) if element is not None else None
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def style_by_id(document, style_id):
    return next(s for s in document.styles if s.style_id == style_id)


def check_a4_and_margins(document) -> None:
    section = document.sections[0]
    assert section.page_width.mm == pytest.approx(210, abs=0.1)
    assert section.page_height.mm == pytest.approx(297, abs=0.1)
    assert section.top_margin.mm == pytest.approx(37, abs=0.1)
    assert section.left_margin.mm == pytest.approx(28, abs=0.1)
    # the text block is 156 × 225 mm
    width = Emu(section.page_width - section.left_margin - section.right_margin)
    height = Emu(section.page_height - section.top_margin - section.bottom_margin)
    assert (width.mm, height.mm) == (pytest.approx(156, abs=0.1), pytest.approx(225, abs=0.1))
    # and in the XML as Word stores it (twentieths of a point)
    margins = section._sectPr.find(qn("w:pgMar"))
    assert (margins.get(qn("w:top")), margins.get(qn("w:left"))) == ("2098", "1587")
    assert (margins.get(qn("w:right")), margins.get(qn("w:bottom"))) == ("1474", "1984")


def check_22_lines_of_28_characters(document) -> None:
    normal = style_by_id(document, "Normal")
    layout = normal.paragraph_format
    assert layout.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert layout.line_spacing == Pt(28.95)
    text_height = Mm(225)
    assert 22 * layout.line_spacing <= text_height < 23 * layout.line_spacing
    # 3号 characters condensed by the style's character spacing: 28 fit in 156 mm, 29 do not
    assert normal.font.size == Pt(16)
    tracking = int(normal.element.find(qn("w:rPr")).find(qn("w:spacing")).get(qn("w:val")))
    pitch = Pt(16) + Pt(tracking / 20)
    assert 28 * pitch <= Mm(156) < 29 * pitch
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"


def check_fonts_of_the_standard(document) -> None:
    expected = {
        "Normal": ("仿宋_GB2312", 16),
        "Title": ("方正小标宋简体", 22),
        "Heading1": ("黑体", 16),
        "Heading2": ("楷体_GB2312", 16),
        "Footer": ("宋体", 14),
    }
    for style_id, (font, size) in expected.items():
        style = style_by_id(document, style_id)
        assert east_asian_font(style.element) == font, style_id
        assert style.font.size == Pt(size), style_id
        assert not style.font.bold, style_id
    assert style_by_id(document, "Title").paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


def check_east_asian_font_on_every_run(document) -> None:
    runs = list(document.element.body.iter(qn("w:r")))
    assert runs
    for run in runs:
        assert east_asian_font(run), run.xml[:200]
    for fonts in document.styles.element.iter(qn("w:rFonts")):
        assert fonts.get(qn("w:eastAsia")), fonts.getparent().getparent().get(qn("w:styleId"))
        assert not [k for k in fonts.keys() if k.lower().endswith("theme")]


def check_fallback_font_names(document) -> None:
    table = document.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
    )
    assert 'w:name="仿宋_GB2312"' in table.blob.decode() and 'w:val="仿宋"' in table.blob.decode()
    assert 'w:name="方正小标宋简体"' in table.blob.decode() and 'w:val="小标宋"' in table.blob.decode()


def check_headings(document) -> None:
    level_one = [p.text for p in document.paragraphs if p.style.style_id == "Heading1"]
    level_two = [p.text for p in document.paragraphs if p.style.style_id == "Heading2"]
    assert level_one == [
        "一、总体情况",
        "二、两新组织“两个覆盖”主要指标",
        "三、重点任务推进情况",
        "四、存在问题",
        "五、红黑榜",
        "六、下步要求",
    ]
    assert level_two == ["（一）任务逾期", "（二）任务滞后", "（三）未按时报送", "（一）红榜", "（二）黑榜"]
    title = next(p for p in document.paragraphs if p.style.style_id == "Title")
    assert title.text == "关于2022年5月全市基层党建\n重点任务推进情况的通报"


def check_heading_styles(document) -> None:
    """一、（一）1.（1）: 黑体, 楷体, 仿宋 bold, 仿宋 — black, never Word's blue default."""
    expected = {
        "Heading1": ("黑体", False),
        "Heading2": ("楷体_GB2312", False),
        "Heading3": ("仿宋_GB2312", True),
        "Heading4": ("仿宋_GB2312", False),
    }
    for style_id, (font, bold) in expected.items():
        style = style_by_id(document, style_id)
        assert east_asian_font(style.element) == font, style_id
        assert bool(style.font.bold) is bold, style_id
        assert style.font.size == Pt(16), style_id
    for style in document.styles.element.findall(qn("w:style")):
        for colour in style.iter(qn("w:color")):
            assert colour.get(qn("w:themeColor")) is None, style.get(qn("w:styleId"))
            if style.get(qn("w:styleId")) != "Letterhead":
                assert colour.get(qn("w:val")) in ("000000", "auto"), style.get(qn("w:styleId"))


def _colour(paragraph) -> set[str]:
    return {r.find(qn("w:rPr")).find(qn("w:color")).get(qn("w:val")) for r in paragraph._p.iter(qn("w:r"))}


def check_letterhead(document, office: str, number: str) -> None:
    """版头: the red 发文机关标志 in 小标宋 on one line, then the 期号 or 发文字号 above a red line
    as wide as the text block, then the title."""
    head, numbered, title = document.paragraphs[:3]
    assert (head.style.style_id, head.text) == ("Letterhead", office)
    assert east_asian_font(style_by_id(document, "Letterhead").element) == "方正小标宋简体"
    assert _colour(head) == {"FF0000"}
    assert (
        head.alignment == WD_ALIGN_PARAGRAPH.CENTER
        or head.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    )
    size = max(r.font.size for r in head.runs)
    assert len(office) * size <= Mm(156) and size <= Pt(36)  # one line
    assert (numbered.style.style_id, numbered.text) == ("DocNumber", number)
    line = (
        style_by_id(document, "DocNumber").element.find(qn("w:pPr")).find(qn("w:pBdr")).find(qn("w:bottom"))
    )
    assert (line.get(qn("w:val")), line.get(qn("w:color"))) == ("single", "FF0000")
    assert title.style.style_id == "Title"


IMPRINT_STYLES = ("Imprint",)


def check_imprint(document, printer: str, printed_on: str, copy_to: str | None) -> None:
    """版记: 抄送 (if any) and 印发机关和印发日期, a thick line first and last, a thin one between,
    4号仿宋, in one frame at the foot of the text block (bottom-aligned, as wide as the block),
    anchored just before the 署名 so that it lands on the page where the document ends."""
    paragraphs = document.paragraphs
    rows = [p for p in paragraphs if p.style.style_id in IMPRINT_STYLES]
    assert [p.text for p in rows] == ([copy_to] if copy_to else []) + [f"{printer}\t{printed_on}印发"]
    after = paragraphs[paragraphs.index(rows[-1]) + 1 :]  # python-docx paragraphs compare by element
    assert [p.style.style_id for p in after] == ["Signature"] * 3  # blank line, 署名, 成文日期
    frames = {etree.tostring(row._p.pPr.find(qn("w:framePr"))) for row in rows}
    assert len(frames) == 1  # one frame for all
    frame = rows[0]._p.pPr.find(qn("w:framePr"))
    assert (frame.get(qn("w:vAnchor")), frame.get(qn("w:yAlign"))) == ("margin", "bottom")
    assert int(frame.get(qn("w:w"))) == Mm(156).twips
    style = style_by_id(document, "Imprint")
    borders = style.element.find(qn("w:pPr")).find(qn("w:pBdr"))
    lines = {
        side: int(borders.find(qn(f"w:{side}")).get(qn("w:sz"))) for side in ("top", "between", "bottom")
    }
    assert lines == {"top": 8, "between": 6, "bottom": 8}  # 0.35 mm first and last, 0.25 mm between
    assert style.font.size == Pt(14)


def check_properties(document, title: str, author: str) -> None:
    """Title, author = the issuing office, language zh-CN; no python-docx or Macintosh leftovers."""
    core = document.core_properties
    assert (core.title, core.author, core.language) == (title, author, "zh-CN")
    assert "python-docx" not in (core.comments or "")
    app = next(p for p in document.part.package.parts if str(p.partname) == "/docProps/app.xml").blob.decode()
    assert "Macintosh" not in app and "Microsoft" not in app and author in app
    for lang in document.styles.element.iter(qn("w:lang")):
        assert lang.get(qn("w:eastAsia")) == "zh-CN"
    assert "ja-JP" not in document.settings.element.xml


def check_page_numbers(document) -> None:
    settings_xml = document.settings.element
    assert settings_xml.find(qn("w:evenAndOddHeaders")) is not None
    section = document.sections[0]
    for footer, alignment, indent in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "w:right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "w:left"),
    ):
        paragraph = footer.paragraphs[0]
        assert paragraph.text == "— 1 —"
        assert paragraph.alignment == alignment
        # one character (14 pt) in from the edge
        assert paragraph._p.pPr.find(qn("w:ind")).get(qn(indent)) == "280"
        instructions = [t.text.strip() for t in paragraph._p.iter(qn("w:instrText"))]
        assert instructions == ["PAGE"]
        assert {east_asian_font(r) for r in paragraph._p.iter(qn("w:r"))} == {"宋体"}
        sizes = {r.find(qn("w:rPr")).find(qn("w:sz")).get(qn("w:val")) for r in paragraph._p.iter(qn("w:r"))}
        assert sizes == {"28"}


def check_table_headers_repeat(document) -> None:
    assert len(document.tables) == 2
    for table in document.tables:
        header = table.rows[0]._tr
        assert header.trPr.find(qn("w:tblHeader")) is not None
