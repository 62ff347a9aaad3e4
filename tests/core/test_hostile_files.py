"""Issue 11 part 2: a file cannot make the reader allocate what it likes. Sheets are measured
before they are read; a sheet over the limits is refused with a Chinese message naming the sheet
and the farthest cell; CSV is capped in width."""

from __future__ import annotations

import io
import zipfile

import pytest

from liangxin.core.tabular.files import FileRejected, check_and_read
from liangxin.core.tabular.limits import SheetLimits
from tests.core import hostile_files as h
from tests.core.test_tabular_files import xls_bytes


def refusal(path, **kw) -> str:
    with pytest.raises(FileRejected) as exc:
        check_and_read(path, path.name, **kw)
    return exc.value.message


def test_the_cell_at_xfd1048576_is_refused_naming_the_sheet_and_the_cell(tmp_path):
    path = h.one_far_cell(tmp_path / "台账.xlsx")
    assert path.stat().st_size < 3000
    message = refusal(path)
    assert "工作表“两新组织”" in message and "XFD1048576" in message
    assert "16,384 列，超过上限 200 列" in message


def test_a_cell_at_amj100000_is_refused(tmp_path):
    assert "AMJ100000" in refusal(h.one_far_cell(tmp_path / "a.xlsx", "AMJ100000"))


def test_a_declared_dimension_over_the_limits_is_refused_even_when_the_cells_are_few(tmp_path):
    path = h.one_far_cell(tmp_path / "a.xlsx", "B2", dimension="A1:XFD1048576")
    assert "声明的数据区域为 A1:XFD1048576" in refusal(path)


def test_a_small_dimension_does_not_hide_a_far_cell(tmp_path):
    path = h.one_far_cell(tmp_path / "a.xlsx", "A2000000", dimension="A1:B2")
    message = refusal(path)
    assert "B2000000" in message and "2,000,000 行，超过上限 1,048,576 行" in message


def test_too_many_cells_within_the_row_and_column_limits_are_refused(tmp_path):
    path = h.dense(tmp_path / "a.xlsx", 300, 40)  # 12,000 cells
    message = refusal(path, limits=SheetLimits(cells=10_000))
    assert "个单元格，超过上限 10,000 个" in message


def test_cells_without_a_reference_are_placed_by_position_and_measured(tmp_path):
    row = "<row>" + "<c><v>1</v></c>" * 250 + "</row>"
    path = h.write_xlsx(tmp_path / "a.xlsx", [row, row])
    message = refusal(path)
    assert "最远的单元格在 IP2" in message and "250 列" in message


def test_a_namespace_prefix_does_not_hide_cells(tmp_path):
    path = h.write_xlsx(
        tmp_path / "a.xlsx", ['<row r="1"><c r="A1"><v>1</v></c><c r="ZZ9"><v>1</v></c></row>']
    )
    data = path.read_bytes()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp_path / "p.xlsx", "w") as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = (
                    body.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=")
                    .replace(b"</worksheet>", b"</x:worksheet>")
                    .replace(b"<sheetData>", b"<x:sheetData>")
                    .replace(b"</sheetData>", b"</x:sheetData>")
                    .replace(b"<row", b"<x:row")
                    .replace(b"</row>", b"</x:row>")
                    .replace(b"<c ", b"<x:c ")
                    .replace(b"</c>", b"</x:c>")
                    .replace(b"<v>", b"<x:v>")
                    .replace(b"</v>", b"</x:v>")
                )
            out.writestr(info, body)
    assert data  # the unprefixed file is refused as well
    assert "ZZ9" in refusal(tmp_path / "p.xlsx")
    assert "ZZ9" in refusal(path)


def test_a_sheet_within_the_limits_reads_as_before(tmp_path):
    path = h.dense(tmp_path / "a.xlsx", 50, 200, dimension=True)
    with check_and_read(path, path.name) as book:
        rows = list(book.sheets[0].rows)
    assert len(rows) == 50 and len(rows[-1]) == 200


def test_the_limits_come_from_the_settings(settings, tmp_path):
    settings.LIANGXIN_IMPORT_MAX_COLUMNS = 30
    path = h.dense(tmp_path / "a.xlsx", 2, 40)
    assert "40 列，超过上限 30 列" in refusal(path)


def test_a_csv_wider_than_the_limit_is_refused_naming_the_row():
    data = ("统一社会信用代码,组织名称\n" + ",".join(["x"] * 201) + "\n").encode()
    with check_and_read(data, "台账.csv") as book, pytest.raises(FileRejected) as exc:
        list(book.sheets[0].rows)
    assert "文件“台账”第 2 行有 201 列，超过上限 200 列" in exc.value.message


def test_empty_trailing_csv_fields_from_formatted_columns_do_not_count():
    data = ("统一社会信用代码,组织名称" + "," * 500 + "\n").encode()
    with check_and_read(data, "台账.csv") as book:
        assert next(iter(book.sheets[0].rows))[:2] == ["统一社会信用代码", "组织名称"]


def test_an_xls_sheet_over_the_limits_is_refused_before_its_rows_are_read():
    data = xls_bytes([(0, 0, "单位名称"), (0, 1, "人数"), (3, 1, 12)])
    with check_and_read(data, "名单.xls", limits=SheetLimits(columns=1)) as book:
        with pytest.raises(FileRejected) as exc:
            next(iter(book.sheets[0].rows))
    assert "工作表“Sheet1”的数据区域，范围达到 2 列，超过上限 1 列" in exc.value.message


def ods_bytes(rows: str, *, name: str = "名单") -> bytes:
    """An .ods whose one sheet holds `rows` (table:table-row elements as LibreOffice writes them)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{name}">'
        '<table:table-column table:number-columns-repeated="1024"/>'
        f"{rows}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
    return buffer.getvalue()


def ods_cell(text: str, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell office:value-type="string"{repeated}><text:p>{text}</text:p></table:table-cell>'
    )


ODS_ROW = f"<table:table-row>{ods_cell('x')}</table:table-row>"
# what LibreOffice writes below and beside the data: empty cells repeated to its own limits
ODS_EMPTY_TAIL = (
    '<table:table-row table:number-rows-repeated="1048573">'
    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
)


def ods_refusal(data: bytes, **kw) -> str:
    with pytest.raises(FileRejected) as exc:
        check_and_read(data, "名单.ods", **kw)  # refused on opening: no sheet is handed out
    return exc.value.message


def test_an_ods_sheet_over_the_limits_is_refused_before_the_reader_has_it():
    assert "3 行，超过上限 2 行" in ods_refusal(ods_bytes(ODS_ROW * 3), limits=SheetLimits(rows=2))


def test_an_ods_cell_a_million_rows_down_is_refused_though_the_file_is_tiny():
    far = (
        '<table:table-row table:number-rows-repeated="2000000"><table:table-cell/></table:table-row>'
        + ODS_ROW
    )
    data = ods_bytes(ODS_ROW + far)
    assert len(data) < 2000
    message = ods_refusal(data)
    assert "工作表“名单”" in message and "最远的单元格在 A2000002" in message
    assert "2,000,002 行，超过上限 1,048,576 行" in message


def test_an_ods_cell_far_to_the_right_or_repeated_across_is_refused():
    beside = f'<table:table-row><table:table-cell table:number-columns-repeated="16383"/>{ods_cell("x")}</table:table-row>'
    assert "最远的单元格在 XFD1" in ods_refusal(ods_bytes(beside))
    across = f"<table:table-row>{ods_cell('x', repeat=300)}</table:table-row>"
    assert "300 列，超过上限 200 列" in ods_refusal(ods_bytes(across))


def test_a_filled_ods_row_repeated_a_million_times_counts_as_a_million_rows():
    rows = (
        f'<table:table-row table:number-rows-repeated="1500000">{ods_cell("x", repeat=3)}</table:table-row>'
    )
    assert "1,500,000 行" in ods_refusal(ods_bytes(rows))
    assert "个单元格，超过上限 1,000 个" in ods_refusal(
        ods_bytes(rows.replace("1500000", "400")), limits=SheetLimits(cells=1000)
    )


def test_an_ods_as_libreoffice_saves_it_with_its_empty_tail_is_read():
    data = ods_bytes(
        f"<table:table-row>{ods_cell('单位名称')}{ods_cell('人数')}"
        '<table:table-cell table:number-columns-repeated="1022"/></table:table-row>'
        + ODS_ROW
        + ODS_EMPTY_TAIL
    )
    with check_and_read(data, "名单.ods") as book:
        rows = list(book.sheets[0].rows)
    assert rows[0][:2] == ["单位名称", "人数"] and rows[1][0] == "x"


def test_a_file_object_is_measured_as_well(tmp_path):
    data = h.one_far_cell(tmp_path / "a.xlsx").read_bytes()
    with pytest.raises(FileRejected):
        check_and_read(io.BytesIO(data), "a.xlsx")
