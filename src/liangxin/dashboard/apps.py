from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "liangxin.dashboard"
    label = "dashboard"
    verbose_name = "数据驾驶舱"

    def ready(self) -> None:
        from liangxin.dashboard import snapshots, warm
        from liangxin.dispatch.reminders import register_tick_hook

        warm.connect()
        register_tick_hook(snapshots.store_for_office)  # the month just closed, stored once
