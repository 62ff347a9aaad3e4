from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "liangxin.dispatch"
    label = "dispatch"
    verbose_name = "月调度"
