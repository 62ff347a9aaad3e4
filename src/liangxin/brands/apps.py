from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "liangxin.brands"
    label = "brands"
    verbose_name = "品牌与示范点"

    def ready(self) -> None:
        # Overdue revisits are chased by the dispatch's tick and notices; the campaign is a
        # measure a dispatch task can be linked to (its reports are prefilled with the brands).
        from liangxin.brands import revisits, status
        from liangxin.dispatch import measures, reminders

        reminders.register_tick_hook(revisits.tick)
        measures.register(status.CAMPAIGN_MEASURE)
