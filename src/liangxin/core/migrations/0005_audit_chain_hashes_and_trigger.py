"""Chain the audit records written before hashing existed, and on PostgreSQL make the table
append-only: a trigger refuses UPDATE and DELETE, except the deletion `liangxin audit_archive`
does in a transaction that set liangxin.audit_archive, and the NULLing of the actor's key
when an account is deleted (the key is not hashed; the account name is), and the hashing of a
record inserted in bulk without its hashes (auditchain.insert_chained)."""

from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION core_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('liangxin.audit_archive', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.hash = ''
       AND (to_jsonb(NEW) - 'prev_hash' - 'hash') = (to_jsonb(OLD) - 'prev_hash' - 'hash') THEN
        RETURN NEW;  -- a record inserted in bulk receives its hashes (auditchain.insert_chained)
    END IF;
    RAISE EXCEPTION '审计日志只允许追加，不允许修改或删除（% 第 % 号记录）', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog;
CREATE TRIGGER core_auditlog_append_only BEFORE UPDATE OR DELETE ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION core_auditlog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog;
DROP FUNCTION IF EXISTS core_auditlog_append_only();
"""


def chain_existing(apps, schema_editor):
    from liangxin.core.auditchain import digest

    AuditLog = apps.get_model("core", "AuditLog")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    prev, last_id = "", None
    for row in AuditLog.objects.order_by("pk").iterator(chunk_size=2000):
        row.prev_hash, row.hash = prev, digest(row, prev)
        AuditLog.objects.filter(pk=row.pk).update(prev_hash=row.prev_hash, hash=row.hash)
        prev, last_id = row.hash, row.pk
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_id": last_id, "last_hash": prev})


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_chain")]

    operations = [
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
