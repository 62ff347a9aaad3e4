"""The API's write path for organizations: the importer's rules (registry.rules.RowParser) and
the registry's bulk write (registry.services.plan_records / write_changes), as the token's
account; and the `Idempotency-Key` replay shared by every write endpoint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from ninja.responses import Status

from liangxin.api.models import IdempotentRequest
from liangxin.api.problems import ApiProblem, field_error
from liangxin.core.importing import NOT_IMPORTED
from liangxin.core.models import AuditLog
from liangxin.registry import rules, services
from liangxin.registry.models import Organization

MAX_BULK = 5000
LABELS = {c.key: c.label for c in rules.COLUMNS}


def require_write(request) -> None:
    if not request.auth.can_write:
        raise ApiProblem(403, f"令牌“{request.auth.name}”只有只读权限，不能写入")


def token_detail(request) -> str:
    return f"接口令牌：{request.auth.name}"


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value


def parse_items(items: list[dict[str, Any]], *, today) -> tuple[list[dict], list[dict], list[dict]]:
    """JSON objects → records by the import rules. Returns (records, errors, warnings); the
    errors and warnings carry the importer's Chinese messages, the item's index and field."""
    lookups = rules.Lookups.load()
    parser = rules.RowParser(lookups, today=today)
    groups: dict[tuple[str, ...], list[int]] = {}
    cleaned = []
    for index, item in enumerate(items):
        values = {k: _cell(v) for k, v in item.items() if k in LABELS and v is not None}
        cleaned.append(values)
        keys = tuple(c.key for c in rules.COLUMNS if c.key in values)
        groups.setdefault(keys, []).append(index)
    records: list[dict | None] = [None] * len(items)
    errors: list[dict] = []
    warnings: list[dict] = []
    for keys, indexes in groups.items():
        missing = [k for k in ("credit_code", "name") if k not in keys]
        if missing:  # the signature columns of the import template
            errors += [
                field_error(k, f"“{LABELS[k]}”不能为空，请填写", index=i) for i in indexes for k in missing
            ]
            continue
        block = {k: [cleaned[i][k] for i in indexes] for k in keys}
        parsed, problems, warned = parser.parse_block(block)
        for i, record, found, soft in zip(indexes, parsed, problems, warned, strict=True):
            for key, message in found:
                errors.append(
                    field_error(key, message or f"“{LABELS.get(key, key)}”不能为空，请填写", index=i)
                )
            for key, message in soft:
                warnings.append(field_error(key, f"{message}{NOT_IMPORTED}", index=i))
            records[i] = record
    seen: dict[str, int] = {}
    for i, record in enumerate(records):
        if record is None:
            continue
        first = seen.setdefault(record["credit_code"], i)
        if first != i:
            errors.append(
                field_error("credit_code", f"与第 {first} 条的统一社会信用代码重复，本条未写入", index=i)
            )
    _keep_what_was_not_sent(records, cleaned)
    errors.sort(key=lambda e: e.get("index") or 0)
    return records, errors, warnings


def _keep_what_was_not_sent(records: list[dict | None], sent: list[dict]) -> None:
    """The rules derive 区划 and 类别 from the credit code when a file has no such column: right
    for a new organization, but an existing one keeps its own when the request leaves them out."""
    codes = [r["credit_code"] for r in records if r is not None]
    existing = set()
    for start in range(0, len(codes), 500):
        existing |= set(
            Organization.objects.filter(credit_code__in=codes[start : start + 500]).values_list(
                "credit_code", flat=True
            )
        )
    for record, values in zip(records, sent, strict=True):
        if record is None or record["credit_code"] not in existing:
            continue
        if not any(k in values for k in ("region", "county", "township")):
            record.pop("region", None)
        if "kind" not in values:
            record.pop("kind", None)


def upsert(request, items: list[dict[str, Any]], *, only_existing: bool = False, only_new: bool = False):
    """Create or update organizations by credit code, all or nothing: any refused item refuses
    the request (422 with every item's problems). Returns (ApplyResult, warnings)."""
    require_write(request)
    if len(items) > MAX_BULK:
        raise ApiProblem(413, f"一次最多提交 {MAX_BULK} 条，本次 {len(items)} 条")
    today = timezone.localdate()
    records, errors, warnings = parse_items(items, today=today)
    if errors:
        raise ApiProblem(
            422,
            f"{len({e.get('index') for e in errors})} 条数据未通过校验，本次未写入任何数据",
            errors=errors,
        )
    pairs = [(i, r) for i, r in enumerate(records) if r is not None]
    user = request.auth.user
    with transaction.atomic():
        plan = services.plan_records(
            pairs, actor=user, source=AuditLog.Source.API, detail=token_detail(request)
        )
        if only_existing and plan.new_rows:
            raise ApiProblem(404, "未找到该组织，或不在您的管辖范围内")
        if only_new and (plan.updates or plan.result.updated or plan.result.unchanged):
            raise ApiProblem(409, "该统一社会信用代码的组织已存在，请用 PUT 更新")
        if plan.result.rejected:
            rejected = [
                field_error(column, message, index=index, code=records[index]["credit_code"])
                for index, column, message in plan.result.rejected
            ]
            status = 403 if len(items) == 1 else 422
            raise ApiProblem(
                status,
                rejected[0]["message"] if status == 403 else "部分组织不在您的管辖范围内，本次未写入任何数据",
                errors=rejected,
            )
        result = services.write_changes(plan, actor=user, source=AuditLog.Source.API, today=today)
    return result, warnings


def _fingerprint(request) -> str:
    h = hashlib.sha256()
    h.update(request.method.encode())
    h.update(request.path.encode())
    h.update(request.body or b"")
    return h.hexdigest()


def idempotent(request, work: Callable[[], tuple[int, Any]]):
    """Run `work` (returns status and a JSON body) once per `Idempotency-Key` of the token: a
    retried request gets the first answer back, marked ``Idempotent-Replayed: true``."""
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key:
        return Status(*work())
    if len(key) > 255:
        raise ApiProblem(400, "Idempotency-Key 最长 255 个字符")
    fingerprint = _fingerprint(request)

    def replay(found: IdempotentRequest):
        if found.fingerprint != fingerprint:
            raise ApiProblem(422, "该 Idempotency-Key 已用于另一个不同的请求，请换一个")
        response = JsonResponse(
            found.body, status=found.status_code, safe=False, json_dumps_params={"ensure_ascii": False}
        )
        response["Idempotent-Replayed"] = "true"
        return response

    found = IdempotentRequest.objects.filter(token=request.auth, key=key).first()
    if found is not None:
        return replay(found)
    try:
        with transaction.atomic():
            status, body = work()
            payload = body.dict() if hasattr(body, "dict") else body
            payload = JsonResponse(payload, safe=False).content  # the JSON the client receives
            IdempotentRequest.objects.create(
                token=request.auth,
                key=key,
                fingerprint=fingerprint,
                status_code=status,
                body=json.loads(payload),
            )
    except IntegrityError:
        found = IdempotentRequest.objects.filter(token=request.auth, key=key).first()
        if found is None:
            raise
        return replay(found)
    return Status(status, body)
