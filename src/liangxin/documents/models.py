"""A bulletin per period: a draft, or a published snapshot whose figures and files never change."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Bulletin(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    period = models.CharField("期次", max_length=7, unique=True)  # YYYY-MM
    as_of = models.DateField("数据截至")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    requirements = models.TextField("下步要求", blank=True)
    snapshot = models.JSONField("存档数据", null=True, blank=True)
    docx = models.BinaryField("通报文件", null=True, blank=True)
    xlsx = models.BinaryField("工作簿", null=True, blank=True)
    sha256 = models.CharField("文件校验值", max_length=64, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The 公文's own parts (letterhead.py): the office's choices on the period's page, empty for
    # “the default”; publishing fills every one with what the published document says.
    issuing_office = models.CharField("发文机关", max_length=60, blank=True)
    issue_number = models.PositiveSmallIntegerField("期号", null=True, blank=True)
    doc_number = models.CharField("发文字号", max_length=40, blank=True)
    recipients = models.CharField("主送", max_length=300, blank=True)
    signer = models.CharField("署名", max_length=60, blank=True)
    signed_on = models.DateField("成文日期", null=True, blank=True)
    copy_to = models.CharField("抄送", max_length=300, blank=True)

    class Meta:
        ordering = ["-period"]
        verbose_name = "通报"

    def __str__(self) -> str:
        return f"{self.period} 通报（{self.get_status_display()}）"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class BulletinTemplate(models.Model):
    """A .docx template the office uploaded (checked first, template_upload.py); the latest one
    renders every bulletin not yet published, in place of the shipped template."""

    name = models.CharField("文件名", max_length=200)
    content = models.BinaryField("模板文件")
    sha256 = models.CharField("文件校验值", max_length=64)
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "通报模板"

    def __str__(self) -> str:
        return self.name
