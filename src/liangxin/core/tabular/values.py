"""Cell value parsers.

Every parser takes a raw cell (as produced by ``files.py``: str, int, float, bool, date,
datetime, None …) and returns the parsed value, or raises ``ValueProblem`` whose ``message``
is a Chinese sentence saying what was wrong and how to fix it; the caller prefixes the row and
column ("第 12 行“成立日期”列：…"). Empty cells — None, '' or whitespace only (full-width
spaces included) — give None everywhere; whether a value is required is the caller's business.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"\s+")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
DATE_EXAMPLE = "2019-03-05"


class ValueProblem(Exception):
    """A cell value that cannot be used; ``message`` is Chinese and user-facing."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _nfkc(s: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", s).translate(_INVISIBLE)).strip()


def is_empty(v: Any) -> bool:
    if v is None:
        return True
    if type(v) is not str:
        return False
    stripped = v.strip()
    if not stripped:
        return True
    if stripped.isascii() or ord(stripped[0]) not in _INVISIBLE:
        return False  # fast path: most cells start with a visible character
    # Only invisible characters (zero-width spaces, BOM) can make visible-looking text empty.
    return not stripped.isascii() and not stripped.translate(_INVISIBLE).strip()


def _shown(v: Any) -> str:
    """The value as the user typed it, for messages."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() if isinstance(v, str) else str(v)


# Full-width ASCII (！ to ～) → half width; CJK punctuation such as （），、： is kept, because
# official names are written with it (“某某（深圳）有限公司”).
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}  # digits
_WIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})  # A-Z
_WIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})  # a-z


_TEXT_TABLE = {**_INVISIBLE, **_WIDTH}
_TEXT_FIXES = re.compile("[" + "".join(map(chr, _TEXT_TABLE)) + "]")


def parse_text(v: Any, *, nfkc: bool = False) -> str | None:
    """Text with whitespace trimmed and inner runs of whitespace (incl. \\u3000, newlines)
    collapsed to one space; full-width letters/digits → half width. Full NFKC (which also turns
    （）， into (), ) only with ``nfkc=True``. Whole floats read as text lose the '.0'."""
    if type(v) is str and not nfkc:
        s = v.translate(_TEXT_TABLE) if _TEXT_FIXES.search(v) else v
        if s.isprintable() and "  " not in s:
            return s.strip() or None  # fast path: no runs of spaces, tabs, newlines or \u3000 to fold
    if is_empty(v):
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, datetime.datetime):
        return v.date().isoformat() if v.time() == datetime.time() else v.isoformat(sep=" ")
    if isinstance(v, datetime.date | datetime.time):
        return v.isoformat()
    s = str(v).translate(_INVISIBLE)
    s = unicodedata.normalize("NFKC", s) if nfkc else s.translate(_WIDTH)
    return _SPACES.sub(" ", s).strip()


def plain_text_column(values: list, limit: int) -> list[str] | None:
    """A whole column as `parse_text` gives it cell by cell, when every cell is plain text that
    needs nothing folded or replaced, none is empty and none is longer than `limit`; otherwise
    None (parse cell by cell, which names each problem). A million names or addresses are then
    checked by a few passes in C rather than a function call per cell."""
    if not values or set(map(type, values)) != {str}:
        return None
    joined = " ".join(values)  # an empty cell or a run of spaces shows as "  "
    if "  " in joined or not joined.isprintable() or _TEXT_FIXES.search(joined):
        return None
    out = list(map(str.strip, values))
    if "" in out or max(map(len, out)) > limit:
        return None
    return out


# ---------------------------------------------------------------------------- dates

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]


def _make_date(y: int, m: int, d: int, shown: str) -> datetime.date:
    if not 1900 <= y <= 2100:
        raise ValueProblem(f"日期“{shown}”的年份不在 1900–2100 之间，请核对")
    try:
        return datetime.date(y, m, d)
    except ValueError:
        raise ValueProblem(f"日期“{shown}”不存在（{y}年没有{m}月{d}日），请核对") from None


def parse_date(v: Any) -> datetime.date | None:
    """A date from: date/datetime cells; Excel serial numbers (1899-12-30 epoch, 1 … 2958465);
    8-digit numbers 20190305; strings 2019-03-05, 2019/3/5, 2019.03.05 (a time part after it is
    ignored), 2019年3月5日, 20190305, also with full-width digits.

    Rejected with a message: year-only values (2019 — as a number these would be 1905 serials),
    year-month values (2019年3月: a full date is needed, see ``parse_month``), nonexistent
    dates (2019-02-30), years outside 1900–2100, and anything else."""
    if type(v) is str and len(v) == 10 and v[4] == "-" and v[7] == "-" and v.isascii():
        y, m, d = v[:4], v[5:7], v[8:]
        if y.isdigit() and m.isdigit() and d.isdigit():  # fast path: ISO dates
            return _make_date(int(y), int(m), int(d), v)
    if is_empty(v):
        return None
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    shown = _shown(v)
    if isinstance(v, bool) or isinstance(v, datetime.time | datetime.timedelta):
        raise ValueProblem(f"无法识别的日期“{shown}”，请填写如 {DATE_EXAMPLE} 的日期")
    if isinstance(v, int | float):
        if math.isfinite(v) and v == int(v) and 19000101 <= v <= 21001231:
            return _parse_date_text(str(int(v)), shown)
        if math.isfinite(v) and 1900 <= v <= 2100 and v == int(v):
            raise ValueProblem(f"“{shown}”只有年份，请填写完整日期，如 {DATE_EXAMPLE}")
        if math.isfinite(v) and 1 <= v <= EXCEL_MAX_SERIAL:
            return _make_date_from_serial(v, shown)
        raise ValueProblem(f"无法识别的日期“{shown}”，请填写如 {DATE_EXAMPLE} 的日期")
    return _parse_date_text(_nfkc(str(v)), shown)


def _make_date_from_serial(v: float, shown: str) -> datetime.date:
    d = EXCEL_EPOCH + datetime.timedelta(days=int(v))
    if d.year < 1900 or d.year > 2100:
        raise ValueProblem(f"日期“{shown}”的年份不在 1900–2100 之间，请核对")
    return d


def _parse_date_text(s: str, shown: str) -> datetime.date:
    for pattern in _DATE_PATTERNS:
        if m := pattern.match(s):
            return _make_date(int(m[1]), int(m[2]), int(m[3]), shown)
    if re.fullmatch(r"\d{4}(年)?", s):
        raise ValueProblem(f"“{shown}”只有年份，请填写完整日期，如 {DATE_EXAMPLE}")
    for pattern in _MONTH_PATTERNS:
        if pattern.match(s):
            raise ValueProblem(f"“{shown}”缺少日，请填写完整日期，如 {DATE_EXAMPLE}")
    raise ValueProblem(f"无法识别的日期“{shown}”，请填写如 {DATE_EXAMPLE} 的日期")


def parse_month(v: Any) -> datetime.date | None:
    """A month (returned as its first day) from 2019年3月, 2019-03, 2019/3, 201903, or any value
    ``parse_date`` accepts (the day is dropped)."""
    if is_empty(v):
        return None
    if isinstance(v, str):
        s = _nfkc(v)
        for pattern in _MONTH_PATTERNS:
            if m := pattern.match(s):
                if not 1 <= int(m[2]) <= 12:
                    raise ValueProblem(f"“{_shown(v)}”中的月份不存在，请填写如 2019-03 的年月")
                return _make_date(int(m[1]), int(m[2]), 1, _shown(v))
    try:
        d = parse_date(v)
    except ValueProblem:
        raise ValueProblem(f"无法识别的年月“{_shown(v)}”，请填写如 2019-03 或 2019年3月 的年月") from None
    return d.replace(day=1) if d else None


# ---------------------------------------------------------------------------- numbers

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_MULTIPLIERS = set("十百千万亿")
_PLACEHOLDERS = {"-", "--", "—", "——", "/", "\\", "无", "暂无", "没有", "n/a", "na"}


def _number_text(v: Any, what: str, example: str) -> tuple[str, str]:
    """Strip thousands separators and a trailing unit (人, 个, 家, …) from a numeric string."""
    shown = _shown(v)
    s = _nfkc(str(v)).replace(" ", "")
    if s.lower() in _PLACEHOLDERS:
        raise ValueProblem(f"“{shown}”不是数字，请填写{what}（没有请填 0）")
    if re.fullmatch(r"[零〇一二两三四五六七八九十百千万亿点]+", s):
        raise ValueProblem(f"“{shown}”请用阿拉伯数字填写，如 {example}")
    unit = re.search(r"[\u4e00-\u9fff]+$", s)
    if unit and unit.start() > 0:
        if set(unit.group()) & _MULTIPLIERS:
            raise ValueProblem(f"“{shown}”中不要使用“万”“千”等单位，请填写完整的数字，如 {example}")
        s = s[: unit.start()]
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        raise ValueProblem(f"“{shown}”不是有效的数字，请填写{what}，如 {example}")
    return s, shown


def parse_int(v: Any, *, min_value: int | None = 0, max_value: int | None = None) -> int | None:
    """A whole number from int, whole float (12.0), or text like '1,210', '1，210', '12人', '１２',
    ' 12 '. Problems: non-whole numbers, values below ``min_value`` (0: "不能为负数") or above
    ``max_value``, placeholders like '无' / '-' (the message asks for 0), anything else."""
    if type(v) is str and v.isascii() and v.isdigit():
        return _check_range(int(v), v, min_value, max_value)  # fast path: plain digits
    if is_empty(v):
        return None
    shown = _shown(v)
    if isinstance(v, bool):
        raise ValueProblem(f"“{shown}”不是数字，请填写整数，如 12")
    if isinstance(v, int):
        n = v
    elif isinstance(v, float):
        if not math.isfinite(v):
            raise ValueProblem(f"“{shown}”不是有效的数字，请填写整数，如 12")
        if not v.is_integer():
            raise ValueProblem(f"“{shown}”不是整数，请填写整数，如 12")
        n = int(v)
    elif isinstance(v, str):
        s, shown = _number_text(v, "整数", "12")
        d = Decimal(s)
        if d != d.to_integral_value():
            raise ValueProblem(f"“{shown}”不是整数，请填写整数，如 12")
        n = int(d)
    else:
        raise ValueProblem(f"“{shown}”不是数字，请填写整数，如 12")
    return _check_range(n, shown, min_value, max_value)


def _check_range(n: Any, shown: str, min_value: Any, max_value: Any) -> Any:
    if min_value is not None and n < min_value:
        if min_value == 0:
            raise ValueProblem(f"“{shown}”不能为负数")
        raise ValueProblem(f"“{shown}”不能小于 {min_value}")
    if max_value is not None and n > max_value:
        raise ValueProblem(f"“{shown}”不能大于 {max_value}")
    return n


def parse_decimal_percent(v: Any, *, fraction_numbers: bool = False) -> Decimal | None:
    """A percentage 0–100 as Decimal: '80%', '80', 80, '80.5％' → 80 / 80.5.

    A number shown as 80% in Excel is stored as 0.8 and calamine gives 0.8, which cannot be told
    from "0.8 percent". So by default a value strictly between 0 and 1 without a '%' sign is a
    problem asking the user to write 80 or 80%; '0.8%' is accepted as 0.8. Pass
    ``fraction_numbers=True`` for a column known to be percent-formatted: numeric cells (not
    text) are then fractions (0.8 → 80, 1 → 100)."""
    if is_empty(v):
        return None
    shown = _shown(v)
    if isinstance(v, bool):
        raise ValueProblem(f"“{shown}”不是百分比，请填写 0 到 100 之间的数字，如 80 或 80%")
    if isinstance(v, int | float):
        if not math.isfinite(v):
            raise ValueProblem(f"“{shown}”不是百分比，请填写 0 到 100 之间的数字，如 80 或 80%")
        d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        if fraction_numbers:
            d = d * 100
        has_sign = fraction_numbers
    elif isinstance(v, str):
        s = _nfkc(v).replace(" ", "")
        has_sign = s.endswith("%")
        s, _ = _number_text(s.rstrip("%"), "介于 0 到 100 之间的数字", "80 或 80%")
        d = Decimal(s)
    else:
        raise ValueProblem(f"“{shown}”不是百分比，请填写 0 到 100 之间的数字，如 80 或 80%")
    if not has_sign and 0 < d < 1:
        pct = (d * 100).normalize()
        raise ValueProblem(f"“{shown}”含义不明确：如表示 {pct:f}%，请填写 {pct:f} 或 {pct:f}%")
    if not 0 <= d <= 100:
        raise ValueProblem(f"“{shown}”超出范围，请填写 0 到 100 之间的数字，如 80 或 80%")
    d = d.normalize()
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d


def parse_decimal(
    v: Any, *, min_value: Decimal | int | None = 0, places: int | None = None
) -> Decimal | None:
    """A decimal number (amounts, areas) from numbers or text like '1,210.5' or '12.5元';
    '万'/'千' multipliers are refused. Rounded to ``places`` decimal places if given."""
    if is_empty(v):
        return None
    shown = _shown(v)
    if isinstance(v, bool) or not isinstance(v, int | float | str | Decimal):
        raise ValueProblem(f"“{shown}”不是数字，请填写如 12.5 的数字")
    try:
        if isinstance(v, str):
            s, shown = _number_text(v, "数字", "12.5")
            d = Decimal(s)
        else:
            d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    except InvalidOperation:
        raise ValueProblem(f"“{shown}”不是有效的数字，请填写如 12.5 的数字") from None
    if not d.is_finite():
        raise ValueProblem(f"“{shown}”不是有效的数字，请填写如 12.5 的数字")
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places))
    return _check_range(d, shown, min_value, None)


# ---------------------------------------------------------------------------- other kinds

_TRUE = {"是", "√", "✓", "✔", "☑", "y", "yes", "1", "true", "t", "有", "对"}
_FALSE = {"否", "×", "✗", "✘", "☒", "x", "n", "no", "0", "false", "f", "无", "不是", "没有"}


def choice_parser(options: dict[str, str], what: str):
    """A parser of a cell that must be one of `options` (label as written -> stored value); any
    other text is a problem that lists the labels."""

    def parse(v: Any) -> str:
        text = parse_text(v) or ""
        if text in options:
            return options[text]
        raise ValueProblem(f"无法识别的{what}“{text}”，应为{'、'.join(dict.fromkeys(options))}之一")

    return parse


def parse_bool(v: Any) -> bool | None:
    """是/否, √/×, ✓/✗, Y/N, yes/no, 1/0, true/false, 有/无 (any case, full width) → bool."""
    if is_empty(v):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float) and v in (0, 1):
        return bool(v)
    s = _nfkc(str(v)).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueProblem(f"无法识别“{_shown(v)}”，请填写“是”或“否”")


_LIST_SEPARATORS = re.compile(r"[、，,；;\n\r\uff0c\uff1b\ufe50\ufe51\ufe54]+")


def parse_list(v: Any) -> list[str] | None:
    """Split on 、，,；; and newlines (full-width too); items trimmed like parse_text, empty items
    dropped, duplicates removed, order kept. None when nothing is left."""
    if is_empty(v):
        return None
    text = parse_text(v) if not isinstance(v, str) else v
    items: list[str] = []
    for part in _LIST_SEPARATORS.split(str(text)):
        item = parse_text(part)
        if item and item not in items:
            items.append(item)
    return items or None


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SERVICE = re.compile(r"^([48]00)(\d{3})(\d{4})$")
_PHONE_EXAMPLE = "请填写 11 位手机号或带区号的固定电话，如 0796-8221234"


def _landline(s: str) -> str | None:
    parts = s.split("-")
    if not all(p.isdigit() for p in parts) or not parts[0].startswith("0"):
        return None
    head, rest = parts[0], parts[1:]
    area_len = 3 if head[1:2] in ("1", "2") else 4
    if len(head) == area_len and rest:
        area, number, ext = head, rest[0], rest[1:]
    elif len(head) > area_len:
        area, number, ext = head[:area_len], head[area_len:], rest
    else:
        return None
    if len(area) != area_len or not re.fullmatch(r"[2-9]\d{6,7}", number):
        return None
    if len(ext) > 1 or (ext and not 1 <= len(ext[0]) <= 6):
        return None
    return "-".join([area, number, *ext])


_MOBILES = re.compile(r"(?:1[3-9]\d{9})+")


def plain_mobiles(values: list) -> list[str] | None:
    """A whole column of mobile numbers written plainly (11 digits each), as `parse_phone` gives
    them; None when any cell is anything else (parse cell by cell)."""
    if not values or set(map(type, values)) != {str}:
        return None
    joined = "".join(values)
    if len(joined) != 11 * len(values) or not joined.isascii() or not _MOBILES.fullmatch(joined):
        return None
    return list(values)


def parse_phone(v: Any) -> str | None:
    """One phone number: a mobile (11 digits starting with 1, returned as 13800138000), a
    landline with area code (returned as 0796-8221234 / 010-12345678, an extension kept as
    0796-8221234-801; the area code may be written without dash or in brackets), or a 400/800
    number (400-123-4567). Spaces, dashes and a +86 prefix before a mobile are tolerated."""
    if type(v) is str and len(v) == 11 and v.isdigit() and v.isascii() and _MOBILE.match(v):
        return v  # fast path: a mobile number written plainly
    if is_empty(v):
        return None
    shown = _shown(v)
    if isinstance(v, bool):
        raise ValueProblem(f"“{shown}”不是电话号码，{_PHONE_EXAMPLE}")
    s = shown if isinstance(v, int | float) else _nfkc(str(v))
    if len([p for p in re.split(r"[,，、;；/]", s) if re.search(r"\d", p)]) > 1:
        raise ValueProblem(f"“{shown}”中有多个号码，只能填写一个电话号码")
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"[\u2010-\u2015－]", "-", s)
    s = re.sub(r"^\((0\d{2,3})\)-?", r"\1-", s)
    s = re.sub(r"^(\+?86-?)(?=1[\d-]{10,12}$)", "", s)
    digits = s.replace("-", "")
    if re.fullmatch(r"[\d-]+", s) and _MOBILE.match(digits):
        return digits
    if m := _SERVICE.match(digits):
        return f"{m[1]}-{m[2]}-{m[3]}"
    if number := _landline(s):
        return number
    if isinstance(v, int | float) and (number := _landline("0" + digits)):
        return number  # a number cell dropped the leading 0 of the area code
    if re.fullmatch(r"[2-9]\d{6,7}", digits):
        raise ValueProblem(f"电话“{shown}”缺少区号，请填写如 0796-8221234 的号码")
    if len(digits) >= 22 and digits.isdigit():
        raise ValueProblem(f"“{shown}”中有多个号码，只能填写一个电话号码")
    raise ValueProblem(f"无法识别的电话号码“{shown}”，{_PHONE_EXAMPLE}")
