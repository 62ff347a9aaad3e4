from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "liangxin.workforce"
    label = "workforce"
    verbose_name = "新就业群体"

    def ready(self) -> None:
        # Overdue 流动哨兵 reports are chased by dispatch_tick through dispatch's own reminders.
        from liangxin.dispatch import reminders
        from liangxin.workforce import chasing

        reminders.register_tick_hook(chasing.tick)
