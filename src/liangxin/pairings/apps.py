from django.apps import AppConfig


class PairingsConfig(AppConfig):
    name = "liangxin.pairings"
    label = "pairings"
    verbose_name = "结对共建"

    def ready(self) -> None:
        # A dispatch task can be linked to the pairings: its reports are prefilled with them.
        from liangxin.dispatch import measures
        from liangxin.pairings.measures import PAIRINGS_MEASURE

        measures.register(PAIRINGS_MEASURE)
