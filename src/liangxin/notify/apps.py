from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "liangxin.notify"
    label = "notify"
    verbose_name = "消息推送"

    def ready(self) -> None:
        from liangxin.dispatch.reminders import register_tick_hook
        from liangxin.notify.sending import sweep

        register_tick_hook(sweep)
