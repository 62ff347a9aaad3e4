"""WordprocessingML for 公文 documents (GB/T 9704-2012): the page, the fonts and sizes, and small
helpers that write run, paragraph and style properties with every East-Asian font name explicit.
Used by build_template.py (the shipped template) and docx.py (placing the signature)."""

from __future__ import annotations

import io
import zipfile

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# Fonts: the names Chinese government offices install; LibreOffice and Word substitute when absent.
FANGSONG = "仿宋_GB2312"  # body
HEITI = "黑体"  # first-level headings
KAITI = "楷体_GB2312"  # second-level headings
XIAOBIAOSONG = "方正小标宋简体"  # title
SONGTI = "宋体"  # page numbers
RED = "FF0000"  # 版头: 发文机关标志 and the separator line
ALT_NAMES = {FANGSONG: "仿宋", KAITI: "楷体", XIAOBIAOSONG: "小标宋"}

# Sizes in half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt, 小四 12 pt.
SIZE_TITLE, SIZE_BODY, SIZE_PAGE_NUMBER, SIZE_TABLE = 44, 32, 28, 24
SIZE_LETTERHEAD = 72  # 发文机关标志 at most 36 pt; docx.fit_letterhead shrinks a long name to one line
SIZE_IMPRINT = 28  # 版记: 4号

# Page: A4, top 37 mm, left 28 mm, text block 156 × 225 mm.
PAGE_W, PAGE_H, TOP, LEFT, TEXT_W, TEXT_H = 210, 297, 37, 28, 156, 225
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
LINE_PITCH = 579  # twips: 28.95 pt exactly; 22 × 28.95 pt fits the 225 mm (637.8 pt) text block
TEXT_W_PT = TEXT_W / 25.4 * 72
# 28 characters of 16 pt need 448 pt but the line is 442.2 pt: condense every character by
# 0.25 pt (w:spacing, in twentieths of a point). A docGrid character pitch would do the same in
# Word, but LibreOffice lays a 16 pt character over two 15.8 pt grid cells (14 per line), so the
# grid fixes only the lines and the condensing fixes the characters, the same in both.
TRACKING = -5
assert CHARS_PER_LINE * (SIZE_BODY / 2 + TRACKING / 20) <= TEXT_W_PT
TWO_CHARS = SIZE_BODY * 20  # 2 characters of 16 pt in twips (first-line indent)


# ---------------------------------------------------------------------------- XML helpers


def child(parent, tag: str, **attrs: str):
    """The parent's child `tag`, created if missing, with the given w: attributes set."""
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        parent.append(element)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def fresh(parent, tag: str):
    """Replace the parent's `tag` child by an empty one (drop the default template's formatting)."""
    old = parent.find(qn(tag))
    new = OxmlElement(tag)
    if old is not None:
        old.addprevious(new)
        parent.remove(old)
    else:
        parent.append(new)
    return new


def set_run_properties(
    rpr, font: str, size: int, *, bold: bool = False, tracking: int = 0, color: str | None = None
) -> None:
    """Fonts for every script (eastAsia explicitly, or Word shows the Latin font), the size and
    the colour: black unless asked (no theme colour such as Word's blue headings)."""
    for tag in ("w:rFonts", "w:b", "w:bCs", "w:color", "w:spacing", "w:sz", "w:szCs", "w:lang"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    fonts = OxmlElement("w:rFonts")
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), font)
    fonts.set(qn("w:hint"), "eastAsia")
    rpr.insert(0, fonts)
    if bold:
        rpr.append(OxmlElement("w:b"))
        rpr.append(OxmlElement("w:bCs"))
    child(rpr, "w:color", val=color or "000000")
    if tracking:
        child(rpr, "w:spacing", val=str(tracking))  # schema order: after color, before sz
    for tag in ("w:sz", "w:szCs"):
        child(rpr, tag, val=str(size))
    child(rpr, "w:lang", val="en-US", eastAsia="zh-CN")


def set_paragraph_properties(
    ppr,
    *,
    align: str = "both",
    line: int = LINE_PITCH,
    first_line: int = TWO_CHARS,
    before: int = 0,
    after: int = 0,
    left: int = 0,
    right: int = 0,
    outline: int | None = None,
    keep_next: bool = False,
    borders: dict[str, tuple[int, str, int]] | None = None,
) -> None:
    """borders: side → (width in eighths of a point, colour, space in points), e.g. the red line
    under the 发文字号 {"bottom": (12, "FF0000", 11)}."""
    for existing in list(ppr):
        if existing.tag != qn("w:rPr"):
            ppr.remove(existing)
    # Children in schema order (CT_PPrBase): keepNext, pBdr, spacing, ind, jc, outlineLvl.
    elements = []
    if keep_next:
        elements.append(OxmlElement("w:keepNext"))
    if borders:
        elements.append(border_element("w:pBdr", borders))
    spacing = OxmlElement("w:spacing")
    for key, value in (("before", before), ("after", after), ("line", line)):
        spacing.set(qn(f"w:{key}"), str(value))
    spacing.set(qn("w:lineRule"), "exact")
    elements.append(spacing)
    ind = OxmlElement("w:ind")
    ind.set(qn("w:left"), str(left))
    ind.set(qn("w:right"), str(right))
    if first_line:
        ind.set(qn("w:firstLineChars"), str(first_line * 100 // (SIZE_BODY * 10)))
        ind.set(qn("w:firstLine"), str(first_line))
    else:
        ind.set(qn("w:firstLineChars"), "0")
        ind.set(qn("w:firstLine"), "0")
    elements.append(ind)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), align)
    elements.append(jc)
    if outline is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        elements.append(level)
    for position, element in enumerate(elements):
        ppr.insert(position, element)


def border_element(tag: str, borders: dict[str, tuple[int, str, int]]):
    """<w:pBdr> / <w:tblBorders> with single lines: side → (eighths of a point, colour, space)."""
    element = OxmlElement(tag)
    for side in ("top", "left", "bottom", "right", "between", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        if side in borders:
            size, color, space = borders[side]
            for key, value in (("val", "single"), ("sz", size), ("space", space), ("color", color)):
                line.set(qn(f"w:{key}"), str(value))
        else:
            line.set(qn("w:val"), "nil")
        if side in borders or (tag == "w:tblBorders" and side != "between"):
            element.append(line)
    return element


def define_style(
    document,
    style_id: str,
    name: str,
    *,
    font: str,
    size: int,
    bold=False,
    color=None,
    tracking=TRACKING,
    **paragraph,
):
    """Create or reset a paragraph style with explicit fonts, size and paragraph layout."""
    styles = document.styles.element
    element = next((s for s in styles.findall(qn("w:style")) if s.get(qn("w:styleId")) == style_id), None)
    if element is None:
        element = OxmlElement("w:style")
        element.set(qn("w:type"), "paragraph")
        element.set(qn("w:customStyle"), "1")
        element.set(qn("w:styleId"), style_id)
        child(element, "w:name", val=name)
        if style_id != "Normal":
            child(element, "w:basedOn", val="Normal")
        child(element, "w:qFormat")
        styles.append(element)
    for tag in ("w:link", "w:rsid"):
        for old in element.findall(qn(tag)):
            element.remove(old)
    ppr = fresh(element, "w:pPr")
    set_paragraph_properties(ppr, **paragraph)
    rpr = fresh(element, "w:rPr")
    set_run_properties(rpr, font, size, bold=bold, color=color, tracking=tracking if size == SIZE_BODY else 0)
    return element


def remove_theme_fonts(document) -> None:
    """Theme font references override explicit names; the default template is full of them."""
    for fonts in document.styles.element.iter(qn("w:rFonts")):
        themed = [key for key in fonts.keys() if key.endswith("Theme") or key.endswith("theme")]
        for key in themed:
            del fonts.attrib[key]
        if themed or fonts.get(qn("w:eastAsia")) is None:
            for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
                fonts.set(qn(f"w:{attr}"), fonts.get(qn(f"w:{attr}")) or FANGSONG)


def register_alt_font_names(document) -> None:
    """fontTable entries with the common alternative name, so a missing 仿宋_GB2312 falls back to 仿宋."""
    table = document.part.package.main_document_part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
    )
    from lxml import etree

    root = etree.fromstring(table.blob)
    for name in (FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONGTI):
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        if name in ALT_NAMES:
            alt = etree.SubElement(font, qn("w:altName"))
            alt.set(qn("w:val"), ALT_NAMES[name])
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")  # GB2312
        family = etree.SubElement(font, qn("w:family"))
        family.set(qn("w:val"), "modern" if name in (FANGSONG, KAITI) else "auto")
    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def chinese_language(document) -> None:
    """Every style and the theme fonts in Simplified Chinese (python-docx's default template says
    ja-JP, which makes Word and LibreOffice pick Japanese glyphs and line-breaking rules)."""
    for lang in document.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:eastAsia"), "zh-CN")
    for lang in document.settings.element.iter(qn("w:themeFontLang")):
        lang.set(qn("w:eastAsia"), "zh-CN")


def default_paragraph_properties(document):
    """The document defaults' w:pPr (styles.xml), made when an uploaded template has none."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:  # an uploaded template may have none; it comes first in styles.xml
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    return child(child(defaults, "w:pPrDefault"), "w:pPr")


def no_hanging_punctuation(document) -> None:
    """Keep a full-width ，；： at a full line's end in the PDF. LibreOffice hangs it in the margin
    and, in 7.4, does not draw it (the PDF loses the mark). Its DOCX import reads w:overflowPunct
    the wrong way round (writerfilter DomainMapper: hanging = the value is 0), so the value that
    means “may hang” in Word, Word's own default, is the one that turns hanging off in LibreOffice:
    Word lays the text out as before and LibreOffice moves the mark's line end instead of losing
    it. Set once in the document defaults; a style or paragraph that says otherwise still wins."""
    ppr = default_paragraph_properties(document)
    if ppr.find(qn("w:overflowPunct")) is not None:
        return
    punct = OxmlElement("w:overflowPunct")
    punct.set(qn("w:val"), "1")
    after = next((e for e in ppr if e.tag in _AFTER_OVERFLOW_PUNCT), None)  # schema order
    if after is not None:
        after.addprevious(punct)
    else:
        ppr.append(punct)


def full_pages(document) -> None:
    """No widow/orphan control: a 公文 page is 22 lines (GB/T 9704-2012 7.1). LibreOffice turns
    it on for a paragraph that does not say otherwise (Word's Chinese Normal style turns it off),
    and with it a paragraph's last line or a heading kept with the next paragraph's first two
    lines pushed lines to the next page: pages ended one to three lines short. Set once in the
    document defaults; a style or paragraph that says otherwise still wins."""
    ppr = default_paragraph_properties(document)
    if ppr.find(qn("w:widowControl")) is not None:
        return
    control = OxmlElement("w:widowControl")
    control.set(qn("w:val"), "0")
    # schema order: after pStyle, keepNext, keepLines, pageBreakBefore and framePr, before the rest
    before = {qn(f"w:{tag}") for tag in ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr")}
    leading = [e for e in ppr if e.tag in before]
    if leading:
        leading[-1].addnext(control)
    else:
        ppr.insert(0, control)


_AFTER_OVERFLOW_PUNCT = {
    qn(f"w:{tag}")
    for tag in (
        *("topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid"),
        *("spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc"),
        *("textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle"),
        *("rPr", "sectPr", "pPrChange"),
    )
}


def drop_style_colours(document) -> None:
    """Remove the default template's colours (Word's blue headings, accent colours) from every
    style; define_style then sets black, or red for the 版头, explicitly."""
    for colour in list(document.styles.element.iter(qn("w:color"))):
        colour.getparent().remove(colour)


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>liangxin</Application><DocSecurity>0</DocSecurity><Company>{company}</Company>"
    "</Properties>"
)


def app_properties(company: str) -> bytes:
    """docProps/app.xml naming this platform and the issuing office (not “Microsoft Macintosh Word”)."""
    escaped = company.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return APP_XML.format(company=escaped).encode()


def reproducible(package: bytes, *, company: str | None = None) -> bytes:
    """The same bytes on every build: zip entries get a fixed timestamp (git sees no change).
    company: rewrite docProps/app.xml for this issuing office (templates keep their editor's)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=(2022, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(entry.filename)
            if company is not None and entry.filename == "docProps/app.xml":
                content = app_properties(company)
            target.writestr(info, content)
    return out.getvalue()
