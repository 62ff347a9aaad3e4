"""统一社会信用代码 (GB 32100-2015) and 身份证号 (GB 11643-1999): normalizing, checking, masking.

Problem functions return a Chinese message or None; they never raise for bad input.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}
# Position by position, each character's value times the position's weight: a code's weighted
# sum is one lookup per character (checking a million codes is part of a large import).
_WEIGHTED = tuple({ch: v * w for ch, v in _CREDIT_VALUE.items()} for w in CREDIT_CODE_WEIGHTS)
_LOOKALIKES = {"O": "0", "I": "1", "Z": "2", "S": "5", "V": "U"}

# Kinds derived from positions 1–2 (registration authority + organization category).
KIND_ENTERPRISE = "enterprise"
KIND_INDIVIDUAL = "individual"
KIND_COOP = "coop"
KIND_SOCIAL = "social"
KIND_LABELS = {
    KIND_ENTERPRISE: "非公企业",
    KIND_INDIVIDUAL: "个体工商户",
    KIND_COOP: "农民专业合作社",
    KIND_SOCIAL: "社会组织",
}
_KIND_BY_PREFIX = {
    "91": KIND_ENTERPRISE,
    "92": KIND_INDIVIDUAL,
    "93": KIND_COOP,
    "51": KIND_SOCIAL,
    "52": KIND_SOCIAL,
    "53": KIND_SOCIAL,
    "59": KIND_SOCIAL,
    "31": KIND_SOCIAL,
}
CATEGORY_LABELS = {
    "91": "企业",
    "92": "个体工商户",
    "93": "农民专业合作社",
    "51": "社会团体",
    "52": "民办非企业单位（社会服务机构）",
    "53": "基金会",
    "59": "其他社会组织",
    "31": "律师事务所",
}

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _clean(s: Any) -> str:
    if type(s) is str and s.isascii() and s.isalnum():
        return s  # fast path: already clean
    if s is None:
        return ""
    if isinstance(s, float) and s.is_integer():
        s = int(s)
    text = unicodedata.normalize("NFKC", str(s)).translate(_INVISIBLE)
    text = re.sub(r"\s+", "", text)
    # Text-forcing tricks from CSV exports: '9144…  and ="9144…"
    if m := re.fullmatch(r'="(.*)"', text):
        text = m[1]
    return text.lstrip("'")


def _stored_as_number(raw: Any, what: str) -> str | None:
    """Long codes typed into a number cell lose digits (Excel keeps 15 significant digits) and
    CSV files re-saved by Excel show them as 9.14403E+17: say so instead of a puzzling check error."""
    text = unicodedata.normalize("NFKC", raw).strip() if isinstance(raw, str) else ""
    if (isinstance(raw, float) and raw >= 1e15) or re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text):
        shown = f"显示为科学计数法“{text}”" if text else "被存成了数字"
        return f"{what}{shown}，末尾几位可能已丢失，请把该列设为“文本”格式后重新填写"
    return None


def normalize_credit_code(s: Any) -> str:
    """Strip all whitespace (full-width too), NFKC (full → half width), upper-case."""
    return _clean(s).upper()


def compute_check_char(first17: str) -> str:
    """The 18th character for 17 characters from CREDIT_CODE_ALPHABET (ValueError otherwise)."""
    first17 = normalize_credit_code(first17)
    if len(first17) != 17 or any(ch not in _CREDIT_VALUE for ch in first17):
        raise ValueError(f"need 17 characters from {CREDIT_CODE_ALPHABET!r}, got {first17!r}")
    return _check_char(first17)


def _check_char(first17: str) -> str:
    """GB 32100-2015: the check character of 17 characters of the alphabet (KeyError outside it)."""
    value = sum(map(dict.__getitem__, _WEIGHTED, first17))
    return CREDIT_CODE_ALPHABET[(31 - value % 31) % 31]


def clean_credit_codes(values: list) -> list[str] | None:
    """A whole column of credit codes that are already clean (18 upper-case letters and digits)
    and valid, unchanged; None when any is not (check cell by cell, which names the problem)."""
    if not values or set(map(type, values)) != {str}:
        return None
    joined = "".join(values)
    if len(joined) != 18 * len(values) or not (joined.isascii() and joined.isalnum() and joined.isupper()):
        return None
    try:
        for code in values:
            if _check_char(code[:17]) != code[17]:
                return None
    except KeyError:  # a letter outside the alphabet (I, O, S, V, Z)
        return None
    return list(values)


def credit_code_problem(code: Any) -> str | None:
    """None for a valid code (after normalizing), else a Chinese message: empty, stored as a
    number (digits lost), wrong length, a character not allowed (named, with a hint for
    look-alikes such as O/0), or a wrong check character (the expected one is named)."""
    if type(code) is str and len(code) == 18 and code.isascii() and code.isalnum() and code.isupper():
        # Fast path, the common case of a clean code: one pass over the characters.
        try:
            if _check_char(code[:17]) == code[17]:
                return None
        except KeyError:
            pass  # a character outside the alphabet: the full checks below name it
    if damage := _stored_as_number(code, "统一社会信用代码"):
        return damage
    norm = normalize_credit_code(code)
    if not norm:
        return "未填写统一社会信用代码"
    if len(norm) != 18:
        return f"统一社会信用代码“{norm}”应为18位，实际为{len(norm)}位"
    bad = list(dict.fromkeys(ch for ch in norm if ch not in _CREDIT_VALUE))
    if bad:
        shown = "、".join(f"“{ch}”" for ch in bad)
        hints = [f"“{ch}”是否应为“{_LOOKALIKES[ch]}”" for ch in bad if ch in _LOOKALIKES]
        hint = f"（{'；'.join(hints)}）" if hints else ""
        return f"统一社会信用代码“{norm}”含有不允许的字符{shown}{hint}，代码中不使用字母 I、O、S、V、Z"
    expected = compute_check_char(norm[:17])
    if norm[17] != expected:
        return f"统一社会信用代码“{norm}”校验位错误：最后一位应为“{expected}”，实际为“{norm[17]}”，请核对"
    return None


def is_valid_credit_code(code: Any) -> bool:
    return credit_code_problem(code) is None


def credit_code_kind(code: Any) -> str | None:
    """'enterprise' (91), 'individual' (92), 'coop' (93), 'social' (51 52 53 59 31) or None.
    Only looks at positions 1–2; check validity separately. Labels: KIND_LABELS."""
    return _KIND_BY_PREFIX.get(normalize_credit_code(code)[:2])


def credit_code_category_label(code: Any) -> str | None:
    """Finer Chinese label of positions 1–2, e.g. '基金会' for 53, or None."""
    return CATEGORY_LABELS.get(normalize_credit_code(code)[:2])


def credit_code_division(code: Any) -> str:
    """Positions 3–8: the registering authority's administrative division code (e.g. '440300')."""
    return normalize_credit_code(code)[2:8]


# ---------------------------------------------------------------------------- 身份证号

ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECK = "10X98765432"  # indexed by weighted sum mod 11 (ISO 7064 MOD 11-2)


def normalize_id_card(s: Any) -> str:
    return _clean(s).upper()


def id_card_check_char(first17: str) -> str:
    """Check character for 17 digits (ValueError otherwise)."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError(f"need 17 digits, got {first17!r}")
    return ID_CARD_CHECK[sum(int(d) * w for d, w in zip(first17, ID_CARD_WEIGHTS, strict=True)) % 11]


def id_card_problem(s: Any, *, today: datetime.date | None = None) -> str | None:
    """None for a valid 18-character 身份证号, else a Chinese message. The number itself is not
    repeated in the message (personal data); the caller names the row."""
    if damage := _stored_as_number(s, "身份证号"):
        return damage
    norm = normalize_id_card(s)
    if not norm:
        return "未填写身份证号"
    if len(norm) == 15 and norm.isdigit():
        return "这是15位旧身份证号，请填写18位身份证号"
    if len(norm) != 18:
        return f"身份证号应为18位，实际为{len(norm)}位"
    if not (norm[:17].isdigit() and norm[:17].isascii() and (norm[17].isdigit() or norm[17] == "X")):
        return "身份证号格式错误：前17位应为数字，最后一位为数字或 X"
    try:
        birth = datetime.date(int(norm[6:10]), int(norm[10:12]), int(norm[12:14]))
    except ValueError:
        return f"身份证号中的出生日期“{norm[6:14]}”不存在，请核对"
    if birth.year < 1900 or birth > (today or datetime.date.today()):
        return f"身份证号中的出生日期“{norm[6:14]}”不合理，请核对"
    if norm[17] != id_card_check_char(norm[:17]):
        return "身份证号校验位错误（最后一位不对），请核对"
    return None


def mask_id_card(s: Any) -> str:
    """'110101199003071234' → '110101********1234': region kept, birth date hidden."""
    norm = normalize_id_card(s)
    if len(norm) >= 10:
        return norm[:6] + "*" * (len(norm) - 10) + norm[-4:]
    return "*" * len(norm)


def mask_phone(s: Any) -> str:
    """'13812345678' → '138****5678'; landline '0796-8221234' → '0796-***1234' (area code and last
    four digits kept). Other text: all but the last 4 digits masked."""
    text = _clean(s)
    digits = re.sub(r"\D", "", text)
    if re.fullmatch(r"1\d{10}", digits) and len(digits) == len(text.replace("-", "")):
        return digits[:3] + "****" + digits[-4:]
    keep_head = len(text.split("-")[0]) + 1 if text.startswith("0") and "-" in text else 0
    total = sum(ch.isdigit() for ch in text)
    out, seen = [], 0
    for i, ch in enumerate(text):
        if ch.isdigit():
            seen += 1
            out.append(ch if i < keep_head or seen > total - 4 else "*")
        else:
            out.append(ch)
    return "".join(out)
