"""Build the shipped bulletin template, templates_docx/bulletin.docx, in 公文 format (GB/T 9704-2012).

Run once after changing this file and commit the result:

    .venv/bin/python -m liangxin.documents.build_template

The template is a docxtpl (Jinja) document; its variables are filled by documents.docx. An office
that wants its own letterhead copies the file, edits it in Word (keeping the {{ }} / {%p %} / {%tr %}
tags) and points the LIANGXIN_BULLETIN_TEMPLATE setting at it.
"""

from __future__ import annotations

import datetime
import io
import sys
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from .wordml import (
    FANGSONG,
    HEITI,
    KAITI,
    LEFT,
    LINE_PITCH,
    PAGE_H,
    PAGE_W,
    RED,
    SIZE_BODY,
    SIZE_IMPRINT,
    SIZE_LETTERHEAD,
    SIZE_PAGE_NUMBER,
    SIZE_TABLE,
    SIZE_TITLE,
    SONGTI,
    TEXT_H,
    TEXT_W,
    TOP,
    TWO_CHARS,
    XIAOBIAOSONG,
    child,
    chinese_language,
    define_style,
    drop_style_colours,
    fresh,
    no_hanging_punctuation,
    register_alt_font_names,
    remove_theme_fonts,
    reproducible,
    set_run_properties,
)

OUTPUT = Path(__file__).with_name("templates_docx") / "bulletin.docx"


# ---------------------------------------------------------------------------- styles and page


def define_styles(document) -> None:
    # Defaults first: anything unstyled is still 仿宋 3号 on the 28.95 pt grid.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr_default = child(defaults, "w:rPrDefault")
    set_run_properties(fresh(rpr_default, "w:rPr"), FANGSONG, SIZE_BODY)
    ppr_default = child(defaults, "w:pPrDefault")
    ppr = fresh(ppr_default, "w:pPr")
    child(ppr, "w:spacing", after="0", line=str(LINE_PITCH), lineRule="exact")
    no_hanging_punctuation(document)
    remove_theme_fonts(document)
    drop_style_colours(document)

    define_style(document, "Normal", "Normal", font=FANGSONG, size=SIZE_BODY)
    # 版头: the red 发文机关标志 35 mm below the top of the text block, the 期号 or 发文字号 two
    # lines below it, and 4 mm under that the red line as wide as the text block (7.2).
    define_style(
        document,
        "Letterhead",
        "发文机关标志",
        font=XIAOBIAOSONG,
        size=SIZE_LETTERHEAD,
        color=RED,
        align="center",
        line=1000,
        first_line=0,
        before=Mm(35).twips - 1000,
    )
    define_style(
        document,
        "DocNumber",
        "发文字号",
        font=FANGSONG,
        size=SIZE_BODY,
        align="center",
        first_line=0,
        before=2 * LINE_PITCH,
        after=2 * LINE_PITCH,
        borders={"bottom": (12, RED, 11)},
    )
    define_style(
        document,
        "Title",
        "Title",
        font=XIAOBIAOSONG,
        size=SIZE_TITLE,
        align="center",
        line=700,
        first_line=0,
        after=LINE_PITCH,
    )
    define_style(document, "Heading1", "heading 1", font=HEITI, size=SIZE_BODY, outline=0, keep_next=True)
    define_style(document, "Heading2", "heading 2", font=KAITI, size=SIZE_BODY, outline=1, keep_next=True)
    # Third and fourth levels, 1. and （1）: 仿宋, the third bold (GB/T 9704-2012 7.3.3 practice).
    define_style(
        document, "Heading3", "heading 3", font=FANGSONG, size=SIZE_BODY, bold=True, outline=2, keep_next=True
    )
    define_style(document, "Heading4", "heading 4", font=FANGSONG, size=SIZE_BODY, outline=3)
    # 版记: 4号仿宋, one character in from both edges (7.4); 0.35 mm lines first and last, 0.25 mm
    # between (w:sz in eighths of a point). The 印发日期 sits at a right tab one character in.
    # 抄送 and 印发 share the style: their borders join, the thin line drawn between them.
    thick, thin = (8, "000000", 4), (6, "000000", 4)
    # White side borders one character out: the lines reach the edges of the text block while
    # the text stays one character in (a border's space widens the box around the text).
    sides = {"left": (4, "FFFFFF", SIZE_IMPRINT // 2), "right": (4, "FFFFFF", SIZE_IMPRINT // 2)}
    imprint = define_style(
        document,
        "Imprint",
        "版记",
        font=FANGSONG,
        size=SIZE_IMPRINT,
        align="left",
        first_line=0,
        left=SIZE_IMPRINT * 10,
        right=SIZE_IMPRINT * 10,
        keep_next=True,
        borders={"top": thick, "bottom": thick, "between": thin} | sides,
    )
    tabs = OxmlElement("w:tabs")
    child(tabs, "w:tab", val="right", pos=str(Mm(TEXT_W).twips - SIZE_IMPRINT * 10))
    imprint.find(qn("w:pPr")).find(qn("w:pBdr")).addnext(tabs)
    define_style(document, "Recipients", "主送机关", font=FANGSONG, size=SIZE_BODY, first_line=0)
    define_style(
        document,
        "Signature",
        "署名",
        font=FANGSONG,
        size=SIZE_BODY,
        align="right",
        first_line=0,
        right=TWO_CHARS,
        keep_next=True,  # the blank line, 署名 and 成文日期 go to a page together
    )
    define_style(
        document,
        "TableText",
        "表格文字",
        font=FANGSONG,
        size=SIZE_TABLE,
        align="center",
        line=360,
        first_line=0,
    )
    define_style(
        document,
        "TableTextLeft",
        "表格文字（左）",
        font=FANGSONG,
        size=SIZE_TABLE,
        align="left",
        line=360,
        first_line=0,
    )
    define_style(
        document,
        "TableHeading",
        "表头",
        font=HEITI,
        size=SIZE_TABLE,
        align="center",
        line=360,
        first_line=0,
    )
    define_style(
        document,
        "TableCaption",
        "表题",
        font=HEITI,
        size=SIZE_BODY,
        align="center",
        first_line=0,
        keep_next=True,
    )
    define_style(
        document,
        "Footer",
        "footer",
        font=SONGTI,
        size=SIZE_PAGE_NUMBER,
        align="right",
        line=0,
        first_line=0,
    )
    # Page-number lines are not on the body grid: single spacing instead of the exact pitch.
    footer_spacing = (
        next(s for s in document.styles.element.findall(qn("w:style")) if s.get(qn("w:styleId")) == "Footer")
        .find(qn("w:pPr"))
        .find(qn("w:spacing"))
    )
    footer_spacing.set(qn("w:line"), "240")
    footer_spacing.set(qn("w:lineRule"), "auto")


def set_page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.left_margin = Mm(TOP), Mm(LEFT)
    section.right_margin = Mm(PAGE_W - LEFT - TEXT_W)  # 26 mm
    section.bottom_margin = Mm(PAGE_H - TOP - TEXT_H)  # 35 mm
    section.header_distance = Mm(15)
    section.footer_distance = Mm(28)  # the page number sits about 7 mm below the text block
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    document.settings.odd_and_even_pages_header_footer = True
    set_page_number(document, section.footer, align="right")
    set_page_number(document, section.even_page_footer, align="left")


def _run(paragraph, text: str = "", *, font: str, size: int):
    run = paragraph.add_run(text)
    set_run_properties(run._r.get_or_add_rPr(), font, size)
    return run


def set_page_number(document, footer, *, align: str) -> None:
    """“— 1 —” in 4号宋体: odd pages right, even pages left, one character in from the edge."""
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.style = style(document, "Footer")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if align == "right" else WD_ALIGN_PARAGRAPH.LEFT
    one_char = str(SIZE_PAGE_NUMBER * 10)
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:right" if align == "right" else "w:left"), one_char)
    _run(paragraph, "— ", font=SONGTI, size=SIZE_PAGE_NUMBER)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("1", None), ("end", None)):
        run = _run(paragraph, font=SONGTI, size=SIZE_PAGE_NUMBER)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "1":
            run.text = "1"
        else:
            child(run._r, "w:fldChar", fldCharType=kind)
    _run(paragraph, " —", font=SONGTI, size=SIZE_PAGE_NUMBER)


# ---------------------------------------------------------------------------- body


FONT_OF_STYLE = {
    "Letterhead": (XIAOBIAOSONG, SIZE_LETTERHEAD),
    "Imprint": (FANGSONG, SIZE_IMPRINT),
    "Title": (XIAOBIAOSONG, SIZE_TITLE),
    "Heading1": (HEITI, SIZE_BODY),
    "Heading2": (KAITI, SIZE_BODY),
    "TableHeading": (HEITI, SIZE_TABLE),
    "TableCaption": (HEITI, SIZE_BODY),
    "TableText": (FANGSONG, SIZE_TABLE),
    "TableTextLeft": (FANGSONG, SIZE_TABLE),
}


def style(document, style_id: str):
    return next(s for s in document.styles if s.style_id == style_id)


def para(document, text: str, style_id: str = "Normal"):
    paragraph = document.add_paragraph(style=style(document, style_id))
    font, size = FONT_OF_STYLE.get(style_id, (FANGSONG, SIZE_BODY))
    run = _run(paragraph, text, font=font, size=size)
    if style_id == "Letterhead":
        child(run._r.get_or_add_rPr(), "w:color", val=RED)
    return paragraph


def _cell_text(cell, text: str, style_id: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = style(cell.part.document, style_id)
    font, size = FONT_OF_STYLE[style_id]
    _run(paragraph, text, font=font, size=size)
    tc_pr = cell._tc.get_or_add_tcPr()
    child(tc_pr, "w:vAlign", val="center")


def table(document, headers: list[str], widths_mm: list[int], loop: str, cells: list[str], left: set[int]):
    """A table with a repeated header row and a docxtpl row loop: {%tr for … %} / cells / {%tr endfor %}."""
    grid = document.add_table(rows=4, cols=len(headers))
    grid.style = style(document, "TableGrid")
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    tbl_pr = grid._tbl.tblPr
    child(tbl_pr, "w:tblW", w=str(sum(widths_mm) * 1440 * 10 // 254), type="dxa")
    for col, grid_col in enumerate(grid._tbl.tblGrid.findall(qn("w:gridCol"))):
        grid_col.set(qn("w:w"), str(Mm(widths_mm[col]).twips))  # LibreOffice lays out by the grid
    for row_index, row in enumerate(grid.rows):
        tr_pr = row._tr.get_or_add_trPr()
        child(tr_pr, "w:cantSplit")
        if row_index == 0:
            child(tr_pr, "w:tblHeader")  # repeated at the top of every page
        for col, cell in enumerate(row.cells):
            cell.width = Mm(widths_mm[col])
    for col, header in enumerate(headers):
        _cell_text(grid.rows[0].cells[col], header, "TableHeading")
    _cell_text(grid.rows[1].cells[0], "{%tr for row in " + loop + " %}", "TableText")
    for col, text in enumerate(cells):
        _cell_text(grid.rows[2].cells[col], text, "TableTextLeft" if col in left else "TableText")
    _cell_text(grid.rows[3].cells[0], "{%tr endfor %}", "TableText")
    return grid


def paragraph_loop(document, items: str, body: list[tuple[str, str]], var: str = "p") -> None:
    """{%p for … %} paragraphs {%p endfor %}: each item becomes one or more styled paragraphs."""
    para(document, "{%p for " + var + " in " + items + " %}")
    for text, style_id in body:
        para(document, text, style_id)
    para(document, "{%p endfor %}")


def at_the_foot(paragraph) -> None:
    """Set the paragraph in a frame as wide as the text block whose bottom is the text block's
    bottom edge, on the page where the paragraph falls; the text above keeps clear of it (no
    text beside). Consecutive paragraphs with the same frame share one frame, in Word and in
    LibreOffice alike (LibreOffice turns them into one text frame anchored there)."""
    frame = OxmlElement("w:framePr")
    for key, value in (
        ("w", str(Mm(TEXT_W).twips)),
        ("wrap", "notBeside"),
        ("vAnchor", "margin"),
        ("hAnchor", "margin"),
        ("xAlign", "center"),
        ("yAlign", "bottom"),
    ):
        frame.set(qn(f"w:{key}"), value)
    ppr = paragraph._p.get_or_add_pPr()
    ppr.find(qn("w:pStyle")).addnext(frame)  # schema order: pStyle, keepNext…, framePr


def imprint(document) -> None:
    """版记 (GB/T 9704-2012 7.4): 抄送 (when there is one) and 印发机关和印发日期, between a thick
    first line, a thin middle one and a thick last line, as wide as the text block (paragraph
    borders), in a frame at the foot of the page where the document ends: its last line lies on
    the text block's bottom edge of the last page (7.4.1). Placed last in the file, LibreOffice
    would anchor it to the 成文日期 and move that line alone to the next page when the frame does
    not fit; build() places it before the 署名 instead. LibreOffice 7.4 does not read the
    between-border (w:between), so its PDF shows the first and last lines but not the thin one."""
    rows = [
        para(document, "{%p if meta.copy_to %}", "Imprint"),
        para(document, "{{ meta.copy_to }}", "Imprint"),
        para(document, "{%p endif %}", "Imprint"),
        para(document, "{{ meta.printer }}", "Imprint"),
    ]
    tab = _run(rows[-1], "", font=FANGSONG, size=SIZE_IMPRINT)
    tab.add_tab()
    _run(rows[-1], "{{ meta.printed_on }}", font=FANGSONG, size=SIZE_IMPRINT)
    for row in rows:
        at_the_foot(row)


COVERAGE_HEADERS = [
    "县（市、区）",
    "纳入统计组织数",
    "组织覆盖率",
    "较上月（百分点）",
    "单独组建率",
    "工作覆盖率",
    "应建未建",
    "未覆盖",
]
COVERAGE_FIELDS = [
    "name",
    "in_scope",
    "org_rate",
    "org_rate_change",
    "single_rate",
    "work_rate",
    "should_build",
    "uncovered",
]
COVERAGE_WIDTHS = [26, 18, 19, 19, 19, 19, 18, 18]
TASK_HEADERS = ["编号", "重点任务", "牵头单位", "进展状态", "进展情况"]
TASK_FIELDS = ["code", "title", "lead", "light", "progress"]
TASK_WIDTHS = [14, 46, 26, 22, 48]


def new_document():
    """An empty document with the 公文 page, styles and page numbers (also the 年度考核's)."""
    document = docx.Document()
    define_styles(document)
    register_alt_font_names(document)
    set_page(document)
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):  # Word 2010's copy of the styles, theme fonts and all
            document.part.drop_rel(rel_id)
    body = document.element.body
    for paragraph in list(document.paragraphs):  # the default template's empty first paragraph
        body.remove(paragraph._p)
    return document


def opening(document) -> None:
    """The 版头 (the issuing office in red, the 期号), the title, the 主送 and the opening
    paragraph, as every 公文 of the office begins."""
    para(document, "{{ meta.office }}", "Letterhead")
    para(document, "{{ meta.number }}", "DocNumber")
    para(document, "{{ title }}", "Title")
    para(document, "{{ meta.recipients }}", "Recipients")
    para(document, "{{ intro }}")


def build(path: Path = OUTPUT) -> Path:
    document = new_document()
    opening(document)

    para(document, "一、总体情况", "Heading1")
    paragraph_loop(document, "overall_paragraphs", [("{{ p }}", "Normal")])

    para(document, "二、两新组织“两个覆盖”主要指标", "Heading1")
    paragraph_loop(document, "coverage_paragraphs", [("{{ p }}", "Normal")])
    para(document, "表1  各县（市、区）两新组织“两个覆盖”情况", "TableCaption")
    coverage = table(
        document,
        COVERAGE_HEADERS,
        COVERAGE_WIDTHS,
        "coverage_rows",
        ["{{ row." + f + " }}" for f in COVERAGE_FIELDS],
        left=set(),
    )
    total = coverage.add_row()
    for col, f in enumerate(COVERAGE_FIELDS):
        _cell_text(
            total.cells[col], "{{ coverage_total." + f + " }}", "TableHeading" if col == 0 else "TableText"
        )
        total.cells[col].width = Mm(COVERAGE_WIDTHS[col])
    child(total._tr.get_or_add_trPr(), "w:cantSplit")
    paragraph_loop(document, "rectification_paragraphs", [("{{ p }}", "Normal")])
    paragraph_loop(document, "followup_paragraphs", [("{{ p }}", "Normal")])

    para(document, "三、重点任务推进情况", "Heading1")
    para(document, "{{ tasks_paragraph }}")
    para(document, "表2  重点任务推进情况", "TableCaption")
    table(
        document,
        TASK_HEADERS,
        TASK_WIDTHS,
        "tasks",
        ["{{ row." + f + " }}" for f in TASK_FIELDS],
        left={1, 2, 4},
    )
    paragraph_loop(document, "ledger_paragraphs", [("{{ p }}", "Normal")])

    para(document, "四、存在问题", "Heading1")
    paragraph_loop(document, "problems", [("{{ p.heading }}", "Heading2"), ("{{ p.text }}", "Normal")])

    para(document, "五、红黑榜", "Heading1")
    paragraph_loop(document, "rankings", [("{{ p.heading }}", "Heading2"), ("{{ p.text }}", "Normal")])

    para(document, "六、下步要求", "Heading1")
    paragraph_loop(document, "requirements", [("{{ p }}", "Normal")])

    # The 版记 is framed at the foot of the page; it comes before the 署名 in the file so that
    # both anchor it to the blank line above the 署名 (LibreOffice anchors a frame to the next
    # paragraph): the frame, the 署名 and the 成文日期 keep together and move to a new page
    # together when the last page is full.
    imprint(document)
    para(document, "", "Signature")
    # 署名 and 成文日期: documents.docx sets their right indents from their lengths (GB/T 9704 7.3.5.2)
    para(document, "{{ meta.signer }}", "Signature")
    para(document, "{{ meta.signed_on }}", "Signature")

    chinese_language(document)
    properties = document.core_properties
    properties.title, properties.author, properties.last_modified_by = "通报模板", "liangxin", "liangxin"
    properties.comments, properties.language = "", "zh-CN"
    properties.created = properties.modified = datetime.datetime(2022, 1, 1)
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(reproducible(buffer.getvalue(), company="liangxin"))
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT))
