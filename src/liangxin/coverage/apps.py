from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "liangxin.coverage"
    label = "coverage"
    verbose_name = "两个覆盖"
