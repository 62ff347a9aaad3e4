from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "liangxin.dashboard"
    label = "dashboard"
    verbose_name = "数据驾驶舱"

    def ready(self) -> None:
        from liangxin.dashboard import warm

        warm.connect()
