from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "liangxin.api"
    label = "api"
    verbose_name = "数据接口"

    def ready(self) -> None:
        from liangxin.api import webhooks
        from liangxin.core.events import event_happened

        event_happened.connect(webhooks.on_event, dispatch_uid="liangxin.api.webhooks")
