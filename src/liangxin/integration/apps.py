from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "liangxin.integration"
    label = "integration"
    verbose_name = "五融入五提升"

    def ready(self) -> None:
        # A dispatch task can be linked to the assessments: its reports are prefilled with them.
        from liangxin.dispatch import measures
        from liangxin.integration.summary import ASSESSED_MEASURE

        measures.register(ASSESSED_MEASURE)
