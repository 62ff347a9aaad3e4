"""Where things lie on a PDF page, read with poppler: words with their boxes (pdftotext -bbox) and
the horizontal rules (dark pixel rows of pdftoppm's render), in millimetres from the page's top
left corner. Used to check the 版记 at the foot of the last page (GB/T 9704-2012 7.4.1)."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

MM_PER_PT = 25.4 / 72
TEXT_TOP, TEXT_BOTTOM, TEXT_LEFT, TEXT_WIDTH = 37.0, 262.0, 28.0, 156.0  # the 版心 (domain.md §7)
LINE = 10.2  # mm: one line of the 22-line grid (28.95 pt)


@dataclass(frozen=True)
class Word:
    text: str
    top: float
    bottom: float


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def words(pdf: Path, page: int) -> list[Word]:
    """The words of one page (1-based) in the text block, with their vertical extent (the page
    number, below the text block, is left out)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', out)
    placed = [
        Word(html.unescape(text), float(top) * MM_PER_PT, float(bottom) * MM_PER_PT)
        for top, bottom, text in found
    ]
    return [w for w in placed if w.top < TEXT_BOTTOM]


def line_text(page_words: list[Word], containing: str) -> tuple[str, float, float]:
    """The text of the lowest line holding `containing` (words sharing its top), its top and bottom."""
    anchor = max((w for w in page_words if containing in w.text), key=lambda w: w.top)
    line = [w for w in page_words if abs(w.top - anchor.top) < 1]
    return "".join(w.text for w in line), anchor.top, max(w.bottom for w in line)


def rules(pdf: Path, page: int, folder: Path, dpi: int = 100) -> list[tuple[float, float, float]]:
    """Horizontal rules wider than half the page as (y, left, right) in mm, top to bottom; a
    rule a few pixels thick is reported once."""
    stem = folder / f"rules{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    data = stem.with_suffix(".pgm").read_bytes()
    magic, width, height, depth, body = data.split(maxsplit=4)
    assert magic == b"P5" and depth == b"255"
    width, height = int(width), int(height)
    mm = 25.4 / dpi
    found: list[tuple[float, float, float]] = []
    last_row = -2
    for y in range(height):
        row = body[y * width : (y + 1) * width]
        dark = [x for x in range(width) if row[x] < 128]
        if len(dark) > width / 2:
            if y != last_row + 1:
                found.append((y * mm, dark[0] * mm, dark[-1] * mm))
            last_row = y
    return found


def check_imprint_at_the_foot(
    pdf: Path, folder: Path, *, office: str, date: str, copy_to: str = ""
) -> list[Word]:
    """The last page ends with the 署名 and 成文日期 and, at the foot, the 版记 between its lines:
    the last line on the text block's bottom edge, as wide as the block. Returns the page's words.
    (LibreOffice 7.4 does not draw the thin line between 抄送 and 印发: w:between is not read.)"""
    last = page_count(pdf)
    words_ = words(pdf, last)
    printed, printed_top, printed_bottom = line_text(words_, "印发")
    assert printed == f"{office}{date}印发"
    found = rules(pdf, last, folder)
    assert len(found) == 2, found
    (first, _, _), (bottom, left, right) = found
    assert abs(bottom - TEXT_BOTTOM) < 1.0, bottom
    assert abs(left - TEXT_LEFT) < 1.0 and abs(right - left - TEXT_WIDTH) < 1.0, (left, right)
    assert first < printed_top and printed_bottom < bottom  # 印发 between the lines
    if copy_to:
        copied, copied_top, _ = line_text(words_, "抄送")
        assert copied == copy_to and first < copied_top < printed_top
    # everything else on the page, the 署名 and the 成文日期 last, is above the 版记
    above = [w for w in words_ if w.top < first]
    assert max(w.bottom for w in above) < first
    assert [w for w in words_ if w not in above and not first < w.top < bottom] == []
    signer, signer_top, _ = line_text(above, office)
    signed, signed_top, _ = line_text(above, "日")
    assert (signer, signed) == (office, date) and signer_top < signed_top
    assert signed_top == max(w.top for w in above)
    return words_


def check_full_pages(pdf: Path, folder: Path) -> None:
    """Every page but the last reaches the text block's foot: its lowest line within a line and a
    quarter of the bottom edge, or the page ends with a table whose next row (which cannot
    split) is taller than the space left, and the next page opens with the table again."""
    pages = page_count(pdf)
    for number in range(1, pages):
        lowest = max(w.bottom for w in words(pdf, number))
        if lowest > TEXT_BOTTOM - 1.25 * LINE:
            continue
        here = rules(pdf, number, folder)
        assert here and here[-1][0] >= lowest - 1.0, (number, "页面未排满，且不以表格结束", lowest)
        following = rules(pdf, number + 1, folder)
        assert len(following) >= 3 and abs(following[0][0] - TEXT_TOP) < 1.5, (number, following)
        row = following[2][0] - following[1][0]  # the first row below the repeated header
        assert row > TEXT_BOTTOM - here[-1][0], (number, "表格下一行放得下却移到了下一页", row)
