from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "liangxin.documents"
    label = "documents"
    verbose_name = "通报与报表"
