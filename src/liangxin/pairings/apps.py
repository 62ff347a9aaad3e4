from django.apps import AppConfig


class PairingsConfig(AppConfig):
    name = "liangxin.pairings"
    label = "pairings"
    verbose_name = "结对共建"
