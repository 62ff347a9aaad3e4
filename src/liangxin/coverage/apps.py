from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "liangxin.coverage"
    label = "coverage"
    verbose_name = "两个覆盖"

    def ready(self) -> None:
        # An instructor's jurisdiction is their assignments, which live here (core.scoping).
        from liangxin.coverage import jurisdiction

        jurisdiction.register()
