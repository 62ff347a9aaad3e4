import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def from_flags(apps, schema_editor):
    """A party organization marked 派驻书记 gets its person record (from its recording date)."""
    PartyOrganization = apps.get_model("coverage", "PartyOrganization")
    DispatchedSecretary = apps.get_model("coverage", "DispatchedSecretary")
    DispatchedSecretary.objects.bulk_create(
        [
            DispatchedSecretary(
                party_org_id=p.pk, name=p.secretary[:50], sent_by=p.secretary_sent_by, starts_on=p.recorded_on
            )
            for p in PartyOrganization.objects.filter(secretary_dispatched=True).exclude(secretary="")
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("coverage", "0007_dispatched_secretary"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DispatchedSecretary",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=50, verbose_name="姓名")),
                ("phone", models.CharField(blank=True, max_length=30, verbose_name="联系电话")),
                ("sent_by", models.CharField(max_length=100, verbose_name="派出单位")),
                ("starts_on", models.DateField(verbose_name="派驻日期")),
                ("ends_on", models.DateField(blank=True, null=True, verbose_name="结束日期")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="录入时间")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "party_org",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="dispatched_secretaries",
                        to="coverage.partyorganization",
                        verbose_name="党组织",
                    ),
                ),
            ],
            options={"verbose_name": "派驻书记", "ordering": ["-starts_on", "-id"]},
        ),
        migrations.RunPython(from_flags, migrations.RunPython.noop),
    ]
