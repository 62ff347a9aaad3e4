from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "liangxin.committee"
    label = "committee"
    verbose_name = "工委会议与行业党委"
