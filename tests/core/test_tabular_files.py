"""Safe opening and streaming reading of uploaded spreadsheets (liangxin.core.tabular.files)."""

import datetime
import io
import struct
import tracemalloc
import zipfile

import pytest
import xlsxwriter

from liangxin.core.tabular.files import (
    MSG_BOMB,
    MSG_CORRUPT,
    MSG_ENCRYPTED,
    FileRejected,
    check_and_read,
    sniff_delimiter,
)


def write_xlsx(path, sheets, *, hidden=()):
    """sheets: {name: {"A1": value, ...}}; datetimes are written as real Excel dates."""
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, cells in sheets.items():
        sheet = book.add_worksheet(name)
        for ref, value in cells.items():
            if isinstance(value, datetime.datetime | datetime.date):
                sheet.write_datetime(ref, value, date_format)
            else:
                sheet.write(ref, value)
        if name in hidden:
            sheet.hide()
    book.close()
    return path


def read_all(workbook):
    with workbook:
        return {sheet.name: list(sheet.rows) for sheet in workbook.sheets}


def rejected(*args, **kwargs):
    with pytest.raises(FileRejected) as info:
        workbook = check_and_read(*args, **kwargs)
        read_all(workbook)
    return info.value.message


def ole2_file(entries, *, aligned=True):
    """A minimal compound-file: 512-byte header with the OLE2 magic, then a directory sector
    whose 128-byte entries carry the given stream names (or, unaligned, just the names' text)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[30:32] = struct.pack("<H", 9)
    body = bytearray()
    for name in ["Root Entry", *entries]:
        entry = bytearray(128)
        encoded = name.encode("utf-16-le")
        entry[: len(encoded)] = encoded
        entry[64:66] = struct.pack("<H", len(encoded) + 2)
        entry[66] = 5 if name == "Root Entry" else 2
        body += entry if aligned else b"\x01\x02\x03" + entry
    return bytes(header + body + bytes(1024))


def biff_record(kind, data=b""):
    return struct.pack("<HH", kind, len(data)) + data


def xls_bytes(cells, *, password=False):
    """A minimal real BIFF8 .xls: one sheet; cells are (row, col, str | number | ("date", serial))."""
    strings = [v for _, _, v in cells if isinstance(v, str)]
    sst = struct.pack("<II", len(strings), len(strings))
    sst += b"".join(struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings)
    xf_general = struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0)
    xf_date = struct.pack("<HHHBBBBIIH", 0, 14, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0)  # format 14: a date

    def bof(kind):
        return biff_record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    def globals_part(sheet_offset):
        return b"".join(
            [
                bof(0x0005),
                biff_record(0x002F, bytes([1, 0, 1, 0, 1, 0]) + bytes(48)) if password else b"",
                biff_record(0x0042, struct.pack("<H", 1200)),
                *[biff_record(0x00E0, xf_general)] * 15,
                biff_record(0x00E0, xf_date),
                biff_record(
                    0x0085, struct.pack("<IBBBB", sheet_offset, 0, 0, 6, 1) + "Sheet1".encode("utf-16-le")
                ),
                biff_record(0x00FC, sst),
                biff_record(0x000A),
            ]
        )

    sheet = bof(0x0010)
    for row, col, value in cells:
        if isinstance(value, str):
            sheet += biff_record(0x00FD, struct.pack("<HHHI", row, col, 0, strings.index(value)))
        elif isinstance(value, tuple):
            sheet += biff_record(0x0203, struct.pack("<HHHd", row, col, 15, value[1]))
        else:
            sheet += biff_record(0x0203, struct.pack("<HHHd", row, col, 0, float(value)))
    stream = globals_part(len(globals_part(0))) + sheet + biff_record(0x000A)
    return compound_file("Workbook", stream)


def compound_file(stream_name, stream):
    """An OLE2 compound file (512-byte sectors: FAT, directory, then the stream) holding one stream."""
    stream += bytes(max(4096, -(-len(stream) // 512) * 512) - len(stream))
    sectors = len(stream) // 512
    end, fat_sector, free = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sector, end, *range(3, 2 + sectors), end]
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *[free] * 108)
    )

    def entry(name, kind, child, start, size):
        encoded = name.encode("utf-16-le") + b"\0\0" if name else b""
        fields = struct.pack("<HBBIII", len(encoded), kind, 1, free, free, child) + bytes(36)
        return encoded.ljust(64, b"\0") + fields + struct.pack("<IQ", start, size)

    directory = entry("Root Entry", 5, 1, end, 0) + entry(stream_name, 2, free, 2, len(stream))
    directory += entry("", 0, free, 0, 0) * 2
    return header + struct.pack("<128I", *fat, *[free] * (128 - len(fat))) + directory + stream


# ---------------------------------------------------------------------------- reading xlsx


def test_it_reads_every_sheet_keeping_spreadsheet_row_and_column_positions(tmp_path):
    path = write_xlsx(
        tmp_path / "orgs.xlsx",
        {
            "企业": {"C3": "标题", "C5": "单位名称", "D5": "人数", "C6": "某某公司", "D6": 12},
            "社会组织": {"A1": "x"},
        },
    )

    sheets = read_all(check_and_read(path, "orgs.xlsx"))

    assert list(sheets) == ["企业", "社会组织"]
    rows = sheets["企业"]
    assert rows[2][2] == "标题"  # C3 → row index 2, column index 2
    assert rows[4][2:4] == ["单位名称", "人数"]
    assert rows[5][2:4] == ["某某公司", 12]
    assert rows[0] == [None, None, None, None]
    assert sheets["社会组织"] == [["x"]]


def test_it_returns_cells_as_python_values_and_empty_cells_as_none(tmp_path):
    path = write_xlsx(
        tmp_path / "v.xlsx",
        {
            "S": {
                "A1": "文本",
                "B1": 12.0,
                "C1": 3.5,
                "D1": True,
                "E1": datetime.date(2019, 3, 5),
                "F1": "   ",
                "H1": "０１２",
            }
        },
    )

    [row] = read_all(check_and_read(path, "v.xlsx"))["S"]

    assert row[0] == "文本"
    assert row[1] == 12.0 and isinstance(row[1], float)  # whole floats stay floats here
    assert row[2] == 3.5
    assert row[3] is True
    assert row[4] == datetime.date(2019, 3, 5)
    assert row[5] == "   "  # whitespace is left to the value parsers
    assert row[6] is None
    assert row[7] == "０１２"


def test_it_returns_datetimes_with_a_time_as_datetime(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "d.xlsx"))
    sheet = book.add_worksheet()
    sheet.write_datetime(
        "A1", datetime.datetime(2019, 3, 5, 10, 30), book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    )
    book.close()

    [[value]] = read_all(check_and_read(tmp_path / "d.xlsx", "d.xlsx"))["Sheet1"]

    assert value == datetime.datetime(2019, 3, 5, 10, 30)


def test_it_reads_from_bytes_and_from_binary_file_objects(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", {"S": {"A1": "甲"}})
    data = path.read_bytes()

    assert read_all(check_and_read(data, "a.xlsx"))["S"] == [["甲"]]
    assert read_all(check_and_read(io.BytesIO(data), "a.xlsx"))["S"] == [["甲"]]


def test_it_reads_an_xlsx_whose_name_says_xls_because_content_decides(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", {"S": {"A1": "甲"}})

    workbook = check_and_read(path, "导出数据.xls")

    assert workbook.kind == "xlsx"
    assert read_all(workbook)["S"] == [["甲"]]


def test_it_marks_hidden_sheets_as_not_visible(tmp_path):
    path = write_xlsx(tmp_path / "h.xlsx", {"数据": {"A1": 1}, "字典": {"A1": 2}}, hidden={"字典"})

    with check_and_read(path, "h.xlsx") as workbook:
        assert [(s.name, s.visible) for s in workbook.sheets] == [("数据", True), ("字典", False)]


def test_it_streams_sheet_rows_lazily_as_an_iterator(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", {"S": {"A1": 1, "A2": 2}})

    with check_and_read(path, "a.xlsx") as workbook:
        rows = workbook.sheets[0].rows
        assert iter(rows) is rows
        assert next(rows) == [1]


def test_it_reads_a_legacy_xls_workbook_with_strings_numbers_and_dates():
    data = xls_bytes(
        [(0, 0, "单位名称"), (0, 1, "人数"), (2, 0, "某某公司"), (2, 1, 12), (2, 2, ("date", 43529))]
    )

    workbook = check_and_read(data, "名单.xls")

    assert workbook.kind == "xls"
    assert read_all(workbook)["Sheet1"] == [
        ["单位名称", "人数", None],
        [None, None, None],
        ["某某公司", 12.0, datetime.date(2019, 3, 5)],
    ]


def test_it_reads_an_ods_spreadsheet():
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="名单"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>单位名称</text:p></table:table-cell>'
        '<table:table-cell office:value-type="float" office:value="12"><text:p>12</text:p></table:table-cell>'
        '<table:table-cell office:value-type="date" office:date-value="2019-03-05"><text:p>x</text:p>'
        "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )

    workbook = check_and_read(buffer.getvalue(), "名单.ods")

    assert workbook.kind == "ods"
    assert read_all(workbook) == {"名单": [["单位名称", 12.0, datetime.date(2019, 3, 5)]]}


def test_it_reads_an_xls_holding_the_text_encryptioninfo_in_a_cell():
    data = xls_bytes([(0, 0, "EncryptionInfo"), (0, 1, "Workbook")])

    assert read_all(check_and_read(data, "a.xls"))["Sheet1"] == [["EncryptionInfo", "Workbook"]]


def test_it_refuses_a_password_protected_legacy_xls():
    assert rejected(xls_bytes([(0, 0, "x")], password=True), "a.xls") == MSG_ENCRYPTED


# ---------------------------------------------------------------------------- checks before parsing


@pytest.mark.parametrize("name", ["名单.txt", "名单.docx", "名单.pdf", "名单"])
def test_it_refuses_unsupported_extensions_listing_the_supported_ones(name):
    message = rejected(b"whatever", name)

    assert "不支持的文件类型" in message
    assert ".xlsx、.xls、.ods 或 .csv" in message


def test_it_refuses_a_file_over_the_size_limit_saying_both_sizes_in_mb():
    message = rejected(b"a,b\n" * 400_000, "big.csv", max_bytes=1024 * 1024)

    assert message.startswith("文件大小为 1.5 MB，超过上限 1 MB")


def test_it_checks_the_size_of_a_file_object_without_reading_it_all():
    message = rejected(io.BytesIO(bytes(3 * 1024 * 1024)), "big.xlsx", max_bytes=2 * 1024 * 1024)

    assert "文件大小为 3 MB，超过上限 2 MB" in message


def test_it_refuses_an_empty_file():
    assert "文件是空的" in rejected(b"", "empty.xlsx")


def test_it_refuses_a_zip_whose_content_would_decompress_beyond_the_limit():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", bytes(2 * 1024 * 1024))

    message = rejected(buffer.getvalue(), "bomb.xlsx", max_uncompressed=1024 * 1024)

    assert message == MSG_BOMB == "文件解压后过大，疑似压缩炸弹，已拒绝"


def test_it_refuses_a_zip_declaring_a_huge_uncompressed_size_under_default_limits():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    data = bytearray(buffer.getvalue())
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 600 * 1024 * 1024)  # declared size

    assert rejected(bytes(data), "bomb.xlsx") == MSG_BOMB


def test_it_refuses_a_zip_with_more_entries_than_allowed_before_listing_them():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(50):
            zf.writestr(f"xl/part{i}.xml", "")

    message = rejected(buffer.getvalue(), "many.xlsx", max_zip_entries=20)

    assert "50 个部件" in message and "上限 20 个" in message and "疑似压缩炸弹" in message


@pytest.mark.parametrize("keep", [0.5, 0.9, -10])
def test_it_refuses_a_truncated_xlsx_as_damaged(tmp_path, keep):
    data = write_xlsx(tmp_path / "a.xlsx", {"S": {"A1": "甲" * 100}}).read_bytes()
    cut = int(len(data) * keep) if keep > 0 else len(data) + keep

    assert rejected(data[:cut], "a.xlsx") == MSG_CORRUPT == "文件已损坏或不完整，无法读取，请重新导出后上传"


def test_it_turns_a_damaged_sheet_inside_a_valid_zip_into_a_clear_message(tmp_path):
    data = write_xlsx(tmp_path / "a.xlsx", {"S": {"A1": "甲"}}).read_bytes()
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = b"<worksheet><sheetData><row r='1'><c r='A1' t='s'><v>99</v></c>"
            dst.writestr(info, body)

    assert rejected(damaged.getvalue(), "a.xlsx") == MSG_CORRUPT


def test_it_refuses_an_encrypted_workbook_which_is_an_ole2_container():
    data = ole2_file(["\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"])

    message = rejected(data, "加密.xlsx")

    assert message == MSG_ENCRYPTED == "文件已加密（设置了打开密码），请取消密码后另存为 .xlsx 再上传"


def test_it_does_not_take_the_text_encryptioninfo_outside_a_directory_entry_for_encryption():
    data = ole2_file(["EncryptionInfo"], aligned=False)

    assert rejected(data, "a.xls") == MSG_CORRUPT


def test_it_names_a_word_document_saved_as_xls():
    message = rejected(ole2_file(["WordDocument"]), "a.xls")

    assert "Word 文档" in message


def test_it_refuses_text_content_named_xlsx_saying_it_looks_like_csv():
    message = rejected("单位名称,人数\n某某公司,12\n".encode(), "名单.xlsx")

    assert message.startswith("文件扩展名为 .xlsx，但内容实际是纯文本（可能是 CSV 文件）")
    assert "改为 .csv" in message


def test_it_refuses_html_masquerading_as_xls_and_says_how_to_convert():
    html = (
        "<html><head><meta charset='utf-8'></head><body><table><tr><td>单位</td></tr></table></body></html>"
    )

    message = rejected(html.encode(), "系统导出.xls")

    assert "内容实际是网页（HTML）格式" in message
    assert "另存为" in message and ".xlsx" in message


def test_it_refuses_html_even_when_named_csv():
    message = rejected(b"\xef\xbb\xbf<table><tr><td>a</td></tr></table>", "a.csv")

    assert "网页（HTML）" in message


def test_it_recognizes_an_excel_2003_xml_spreadsheet():
    xml = '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'

    assert "XML 电子表格 2003" in rejected(xml.encode(), "a.xls")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n...", "PDF 文档"),
        (b"\x89PNG\r\n\x1a\n....", "图片"),
        (b"\x00\x01\x02binary", "无法识别的格式"),
    ],
)
def test_it_names_other_content_it_refuses(data, what):
    assert what in rejected(data, "a.xlsx")


def test_it_refuses_a_word_docx_renamed_to_xlsx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")

    message = rejected(buffer.getvalue(), "a.xlsx")

    assert "Word 文档" in message and "不是表格" in message


def test_it_refuses_a_plain_zip_archive_asking_to_unzip_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("名单.xlsx", "x")

    assert "请解压后上传" in rejected(buffer.getvalue(), "a.xlsx")


# ---------------------------------------------------------------------------- CSV


def csv_rows(data, name="名单.csv"):
    workbook = check_and_read(data, name)
    return workbook, read_all(workbook)[workbook.sheets[0].name]


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("gb18030", b"")]
)
def test_it_reads_csv_in_utf8_with_or_without_bom_and_in_gbk(encoding, prefix):
    data = prefix + "单位名称,统一社会信用代码\n吉安市某某科技有限公司,91350100M000100Y43\n".encode(encoding)

    workbook, rows = csv_rows(data)

    assert rows == [["单位名称", "统一社会信用代码"], ["吉安市某某科技有限公司", "91350100M000100Y43"]]
    assert workbook.kind == "csv"
    assert workbook.encoding == {"utf-8": "utf-8-sig" if prefix else "utf-8", "gbk": "gb18030"}.get(
        encoding, "gb18030"
    )


def test_it_reads_excel_unicode_text_which_is_utf16_with_tabs():
    data = "单位名称\t人数\r\n某某公司\t12\r\n".encode("utf-16")

    workbook, rows = csv_rows(data)

    assert rows == [["单位名称", "人数"], ["某某公司", "12"]]
    assert workbook.delimiter == "\t"


def test_it_names_the_csv_sheet_after_the_file_and_returns_empty_fields_as_none(tmp_path):
    path = tmp_path / "upload.bin"
    path.write_bytes(b"a,,c\n")

    workbook = check_and_read(path, "2024年名单.csv")

    assert workbook.sheets[0].name == "2024年名单"
    assert read_all(workbook)["2024年名单"] == [["a", None, "c"]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_it_detects_the_csv_delimiter(delimiter):
    text = "\n".join(
        delimiter.join(row) for row in [["标题"], ["名称", "人数", "电话"], ["甲", "1", "2"]] * 3
    )

    workbook, rows = csv_rows(text.encode())

    assert workbook.delimiter == delimiter
    assert rows[1] == ["名称", "人数", "电话"]


def test_it_falls_back_to_comma_when_there_is_nothing_to_sniff():
    assert sniff_delimiter("只有一列\n第二行\n") == ","
    assert sniff_delimiter("") == ","


def test_it_keeps_quoted_commas_and_newlines_inside_csv_fields():
    data = '名称,地址\n"某某公司","江西省吉安市,\n井冈山大道1号"\n'.encode()

    _, rows = csv_rows(data)

    assert rows[1] == ["某某公司", "江西省吉安市,\n井冈山大道1号"]


def test_it_refuses_a_csv_that_is_neither_utf8_nor_gb18030():
    message = rejected(b"a,b\n\xff\xfe\xff\xff,1\n", "a.csv")

    assert "无法识别文件的文字编码" in message and "CSV UTF-8" in message


def test_it_reports_a_broken_csv_line_with_its_row_number_while_iterating():
    data = ("a,b\n1,2\n" + '"' + "x" * 200_000 + '",3\n').encode()

    message = rejected(data, "a.csv")

    assert message.startswith("第 3 行格式错误")


def test_it_streams_a_large_csv_without_holding_all_rows_in_memory():
    data = "".join(f"吉安市某某公司{i},9135010{i:011d},{i}\n" for i in range(100_000)).encode()
    workbook = check_and_read(data, "big.csv")

    tracemalloc.start()
    try:
        count = sum(1 for _ in workbook.sheets[0].rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 100_000
    assert peak < 2 * 1024 * 1024  # all rows as Python lists would be well over 30 MB


def test_it_stops_iteration_once_the_workbook_is_closed(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("1\n2\n3\n", encoding="utf-8")
    workbook = check_and_read(path, "a.csv")
    rows = workbook.sheets[0].rows
    assert next(rows) == ["1"]

    workbook.close()

    assert list(rows) == []
