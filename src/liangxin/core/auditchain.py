"""The audit log as a hash chain (等保2.0 三级: audit records protected from change).

Each `AuditLog` row carries ``hash = SM3(prev_hash + canonical content)`` (GB/T 32905, from
OpenSSL through ``hashlib.new("sm3")``) and the previous row's hash, in id order. `append` holds
the lock on the chain's head row (`AuditChainHead`) from reading the tail to writing the rows,
so concurrent writers cannot fork the chain; `verify` walks it and names the first record whose
content or link does not match; `archive` exports the records older than the retention and
removes them (only after a verified chain), leaving their last hash as the new anchor.

The head row is sealed (`seal_of`: HMAC-SM3 keyed by the secret key, which lives outside the
database): removing the last records and rewriting the head to match them needs the key too.

The hash covers what a record says (time, actor's account and role, IP, action, object,
before/after, source, result, message), not the actor's foreign key, which becomes NULL when an
account is deleted.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone

from liangxin.core.models import AuditChainHead, AuditLog

HASHED = (
    "at", "actor_name", "role", "ip", "action", "object_type", "object_id", "object_repr",
    "before", "after", "source", "source_detail", "result", "message",
)  # fmt: skip
MIN_RETENTION_DAYS = 180
ARCHIVE_SETTING = "liangxin.audit_archive"  # checked by the PostgreSQL trigger (migration 0005)


def sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def plain_json(value):
    """The value as it comes back from a JSON column (tuples → lists, dates → strings)."""
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _canonical_ip(ip: str | None) -> str | None:
    return AuditLog._meta.get_field("ip").get_prep_value(ip) if ip else None


def digest(row, prev_hash: str) -> str:
    """The SM3 hash of one record chained to ``prev_hash`` (works on historical models too)."""
    content = {name: getattr(row, name) for name in HASHED}
    content["at"] = content["at"].astimezone(datetime.UTC).isoformat(timespec="microseconds")
    content["ip"] = _canonical_ip(content["ip"])
    body = json.dumps([prev_hash, content], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return sm3(body.encode())


def seal_of(head) -> str:
    """The head's seal: HMAC-SM3 of where the chain ends and where it starts (works on the
    historical model in a migration too)."""
    key = hmac.new(settings.SECRET_KEY.encode(), b"liangxin.audit-chain-head", "sm3").digest()
    ends = f"{head.last_id or ''}:{head.last_hash}:{head.anchor_id or ''}:{head.anchor_hash}"
    return hmac.new(key, ends.encode(), "sm3").hexdigest()


def _save_head(head: AuditChainHead, **ends) -> None:
    for name, value in ends.items():
        setattr(head, name, value)
    head.seal = seal_of(head)
    head.save(update_fields=[*ends, "seal"])


def _locked_head() -> AuditChainHead:
    """The head row, locked: the UPDATE takes SQLite's write lock and PostgreSQL's row lock
    before the tail is read, so a second writer waits here."""
    if not AuditChainHead.objects.filter(pk=1).update(appends=F("appends") + 1):
        AuditChainHead.objects.create(pk=1, appends=1)
    return AuditChainHead.objects.select_for_update().get(pk=1)


def append(rows: list[AuditLog]) -> list[AuditLog]:
    """Chain and insert unsaved rows, in order (one row: save; more: one bulk insert)."""
    if not rows:
        return rows
    with transaction.atomic():
        head = _locked_head()
        prev = head.last_hash
        for row in rows:
            row.at = row.at or timezone.now()
            row.ip = _canonical_ip(row.ip)
            row.before, row.after = plain_json(row.before), plain_json(row.after)
            row.prev_hash, row.hash = prev, digest(row, prev)
            prev = row.hash
        if len(rows) == 1:
            rows[0].save(force_insert=True)
        else:
            AuditLog.objects.bulk_create(rows, batch_size=1000)
        _save_head(head, last_id=rows[-1].pk, last_hash=prev)
    return rows


def insert_chained(insert: Callable[[], object]) -> int:
    """Run ``insert`` (an INSERT … SELECT of records staged without hashes, as a large import
    writes them) under the chain's lock, then hash the rows it added in id order. Returns how
    many. (On PostgreSQL the trigger lets a row without a hash receive its hashes, nothing else.)"""
    with transaction.atomic():
        head = _locked_head()
        start = AuditLog.objects.aggregate(top=Max("pk"))["top"] or 0
        insert()
        prev, last, count = head.last_hash, None, 0
        chunk: list[AuditLog] = []
        for row in AuditLog.objects.filter(pk__gt=start).order_by("pk").iterator(chunk_size=2000):
            row.prev_hash, row.hash = prev, digest(row, prev)
            prev, last = row.hash, row
            chunk.append(row)
            if len(chunk) == 2000:
                AuditLog.objects.bulk_update(chunk, ["prev_hash", "hash"])
                count, chunk = count + len(chunk), []
        if chunk:
            AuditLog.objects.bulk_update(chunk, ["prev_hash", "hash"])
            count += len(chunk)
        if last is not None:
            _save_head(head, last_id=last.pk, last_hash=prev)
    return count


@dataclass
class Verification:
    count: int
    broken: AuditLog | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason

    def message(self) -> str:
        if self.ok:
            return f"审计日志完整：共 {self.count} 条记录，SM3 哈希链校验通过"
        if self.broken is None:
            return f"审计日志不完整：{self.reason}"
        row = self.broken
        when = timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S") if row.at else "?"
        return f"审计日志第 {row.pk} 号记录（{when}，{row.actor_name or '系统'}，{row.action}）校验失败：{self.reason}"


def verify(*, check_seal: bool = True, progress: Callable[[int, int], None] | None = None) -> Verification:
    """Walk the chain in id order from the archive anchor to the head, then check the head's
    seal (`check_seal=False` only for `reseal`). `progress(done, total)`: a terminal's bar, moved
    every 1,000 records."""
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead()
    prev, count, last_id = head.anchor_hash, 0, head.anchor_id
    total = AuditLog.objects.count() if progress else 0
    if progress:
        progress(0, total)
    for row in AuditLog.objects.order_by("pk").iterator(chunk_size=2000):
        count += 1
        if progress and count % 1000 == 0:
            progress(count, max(total, count))
        if row.prev_hash != prev:
            return Verification(count, row, "与前一条记录的链接断开（前面的记录被删除、插入或修改过）")
        if digest(row, prev) != row.hash:
            return Verification(count, row, "记录内容与其哈希不符（记录在数据库中被修改过）")
        prev, last_id = row.hash, row.pk
    if prev != head.last_hash or last_id != head.last_id:
        after = f"第 {last_id} 号之后" if last_id else "全部"
        return Verification(
            count, None, f"链尾记录不符，{after}的记录被删除过（应以第 {head.last_id} 号记录结束）"
        )
    if check_seal and head.pk and not hmac.compare_digest(head.seal, seal_of(head)):
        return Verification(
            count,
            None,
            "链尾记录的封签与密钥不符：链尾在数据库中被改写过，其后的记录可能被删除"
            "（若刚更换过 SECRET_KEY，请核对后运行 liangxin audit_verify --reseal）",
        )
    return Verification(count)


def reseal(actor=None) -> Verification:
    """Seal the head again with the current key (after SECRET_KEY was changed on purpose), only
    when the chain itself verifies; recorded in the audit log."""
    from liangxin.core import audit

    with transaction.atomic():
        head = _locked_head()
        checked = verify(check_seal=False)
        if not checked.ok:
            return checked
        _save_head(head)
    audit.record(
        "core.audit.resealed",
        actor=actor,
        object_type="core.auditchainhead",
        object_repr=f"第 {head.last_id} 号",
        message="更换密钥后重新封签审计日志链尾",
    )
    return verify()


def retention_days() -> int:
    return max(MIN_RETENTION_DAYS, settings.LIANGXIN_AUDIT_RETENTION_DAYS)


class ArchiveRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def archive(output: Path, *, days: int, actor=None) -> int:
    """Export to ``output`` (JSON Lines, one record a line with its hashes) the records older
    than ``days`` (at least the retention) and remove them; returns how many. Refuses when the
    chain does not verify, so that no evidence of tampering is archived away."""
    if days < retention_days():
        raise ArchiveRefused(f"审计日志至少保留 {retention_days()} 天，不能归档 {days} 天内的记录")
    if output.exists():
        raise ArchiveRefused(f"文件“{output}”已存在，请指定新的归档文件")
    cutoff = timezone.now() - datetime.timedelta(days=days)
    from liangxin.core import audit

    with transaction.atomic():
        head = _locked_head()  # no record is appended while the chain is checked and cut
        checked = verify()
        if not checked.ok:
            raise ArchiveRefused(f"哈希链校验未通过，不能归档。{checked.message()}")
        newer = AuditLog.objects.filter(at__gte=cutoff).order_by("pk").values_list("pk", flat=True).first()
        old = AuditLog.objects.order_by("pk")
        old = old.filter(pk__lt=newer) if newer is not None else old
        first, last = old.first(), old.last()
        if last is None:
            return 0
        count = _export(old, output)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [ARCHIVE_SETTING])
        AuditLog.objects.filter(pk__lte=last.pk).delete()
        _save_head(head, anchor_id=last.pk, anchor_hash=last.hash)
        audit.record(
            "core.audit.archived",
            actor=actor,
            object_type="core.auditlog",
            object_repr=f"第 {first.pk}–{last.pk} 号",
            after={"count": count, "through_id": last.pk, "through_hash": last.hash, "file": str(output)},
            message=f"归档并删除 {count} 条 {days} 天前的审计记录",
        )
    return count


def _export(rows: QuerySet[AuditLog], output: Path) -> int:
    count = 0
    with open(output, "x", encoding="utf-8") as fh:
        for row in rows.iterator(chunk_size=2000):
            data = {"id": row.pk, "actor_id": row.actor_id, "prev_hash": row.prev_hash, "hash": row.hash}
            data |= {name: getattr(row, name) for name in HASHED}
            fh.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
            count += 1
        fh.flush()
    return count
