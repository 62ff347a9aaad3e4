from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "liangxin.coverage"
    label = "coverage"
    verbose_name = "两个覆盖"

    def ready(self) -> None:
        # An instructor's jurisdiction is their assignments, which live here (core.scoping).
        from liangxin.coverage import jurisdiction
        from liangxin.coverage.measures import ORG_RATE_MEASURE
        from liangxin.dispatch import measures

        jurisdiction.register()
        # A dispatch task can be linked to an industry's 组织覆盖率 (its reports are prefilled).
        measures.register(ORG_RATE_MEASURE)
        # An overdue 整改 is chased by dispatch_tick (its tick hook; dispatch imports no coverage).
        from liangxin.coverage import rectification
        from liangxin.dispatch.reminders import register_tick_hook

        register_tick_hook(rectification.chase_overdue)
        from liangxin.coverage import terms

        register_tick_hook(terms.remind_terms)  # 换届: 3 months and 1 month before
