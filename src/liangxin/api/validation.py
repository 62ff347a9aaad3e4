"""pydantic's field errors (422) in Chinese: which field, and why, in the words a clerk reads.

pydantic (2.x) names each error by a stable `type` with its limits in `ctx`; the English `msg`
is never shown. A type not listed here still names the field ("格式不正确")."""

from __future__ import annotations

from typing import Any

REASONS = {
    "missing": "必须填写",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能带小数",
    "int_parsing_size": "数值过大",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文字（字符串）",
    "string_unicode": "应为有效的文字",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符合要求",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "multiple_of": "应为 {multiple_of} 的倍数",
    "date_type": "应为日期，格式 YYYY-MM-DD",
    "date_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期，不能带时间",
    "datetime_type": "应为日期时间，格式 YYYY-MM-DDTHH:MM:SS",
    "datetime_parsing": "应为日期时间，格式 YYYY-MM-DDTHH:MM:SS",
    "datetime_from_date_parsing": "应为日期时间，格式 YYYY-MM-DDTHH:MM:SS",
    "list_type": "应为列表（JSON 数组）",
    "tuple_type": "应为列表（JSON 数组）",
    "set_type": "应为列表（JSON 数组）",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "extra_forbidden": "不是可识别的字段",
    "none_required": "应留空",
    "uuid_parsing": "应为 UUID",
    "url_parsing": "应为网址",
    "value_error": "取值不对",
}
WHERE = {"body": "请求体", "query": "查询参数", "path": "地址中的参数", "header": "请求头"}
# pydantic names the member of a union it tried (`int`, `str`, `list[str]` …) after the field.
_UNION_MEMBERS = ("int", "str", "float", "bool", "none", "list[", "dict[", "date", "datetime")


def _field(loc: tuple[Any, ...]) -> tuple[str, str]:
    parts = [str(p) for p in loc]
    where = WHERE.get(parts[0], "") if parts else ""
    while parts and parts[0] in WHERE:
        parts.pop(0)
    if parts and parts[0] == "body":  # ninja nests a body parameter named `body` once more
        parts.pop(0)
    while len(parts) > 1 and parts[-1].lower().startswith(_UNION_MEMBERS) and not parts[-1].isdigit():
        parts.pop()
    return ".".join(parts), where


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One Chinese message per field (a union's several attempts become one)."""
    found: dict[str, dict[str, Any]] = {}
    for error in errors:
        field, where = _field(tuple(error.get("loc", ())))
        reason = REASONS.get(error.get("type", ""), "格式不正确")
        try:
            reason = reason.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError, ValueError):
            reason = "格式不正确"
        label = f"字段“{field}”" if field else (where or "请求体")
        found.setdefault(field or where or "body", {"field": field or "body", "message": f"{label}{reason}"})
    return list(found.values())


def summary(errors: list[dict[str, Any]]) -> str:
    if not errors:
        return "请求数据的格式不正确，请对照接口文档"
    more = f"（共 {len(errors)} 处，见 errors）" if len(errors) > 1 else ""
    return f"请求数据的格式不正确：{errors[0]['message']}{more}"
