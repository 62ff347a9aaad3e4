from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "liangxin.committee"
    label = "committee"
    verbose_name = "工委会议与行业党委"

    def ready(self) -> None:
        # A dispatch task can be linked to the committees a unit has set up (reports prefilled).
        from liangxin.committee.measures import COMMITTEES_MEASURE
        from liangxin.dispatch import measures

        measures.register(COMMITTEES_MEASURE)
