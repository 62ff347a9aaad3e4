# Issue 13: the audit chain's head row is sealed with the secret key (core.auditchain.seal_of).

from django.db import migrations, models


def seal_existing_head(apps, schema_editor):
    from liangxin.core.auditchain import seal_of

    for head in apps.get_model("core", "AuditChainHead").objects.using(schema_editor.connection.alias):
        head.seal = seal_of(head)
        head.save(update_fields=["seal"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_data_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="seal",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(seal_existing_head, migrations.RunPython.noop),
    ]
