from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "liangxin.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from liangxin.accounts import signals  # noqa: F401  (login/logout audit receivers)
