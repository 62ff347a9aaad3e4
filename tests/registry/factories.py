"""Organizations and files for registry tests."""

from __future__ import annotations

import itertools

import xlsxwriter

from liangxin.core.models import Region
from liangxin.core.tabular import compute_check_char
from liangxin.registry.models import Organization

# Codes made up without a serial start far above the serials tests give explicitly (sheets of
# thousands of rows from serial 1 or 100): a factory-made organization never shares a code with
# a sheet's row, however many tests ran before.
_serial = itertools.count(5_000_001)


def credit_code(prefix: str = "91", division: str = "360802", serial: int | None = None) -> str:
    """A valid 统一社会信用代码 (check character computed per GB 32100-2015)."""
    n = next(_serial) if serial is None else serial
    body = f"{prefix}{division}MA{n:07d}"[:17]
    return body + compute_check_char(body)


def make_org(name: str, *, region: str = "360802001", code: str | None = None, **fields) -> Organization:
    region_obj = Region.objects.get(code=region)
    org = Organization(
        credit_code=code or credit_code(division=region[:6]),
        name=name,
        region=region_obj,
        kind=fields.pop("kind", "enterprise"),
        **fields,
    )
    org.copy_ancestor_codes(region_obj)
    org.save()
    return org


def write_workbook(path, rows: list[list], sheet: str = "Sheet1") -> str:
    workbook = xlsxwriter.Workbook(str(path))
    worksheet = workbook.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                worksheet.write_string(r, c, value)  # text as typed, even "=…"
            elif value is not None:
                worksheet.write(r, c, value)
    workbook.close()
    return str(path)
