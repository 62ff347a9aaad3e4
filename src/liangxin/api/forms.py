from django import forms

from liangxin.accounts.models import User
from liangxin.api.models import ApiToken, WebhookEndpoint
from liangxin.core.roles import ADMIN_ROLES


class TokenForm(forms.Form):
    name = forms.CharField(label="令牌名称", max_length=60, help_text="对接系统的名称，如 市场监管登记系统")
    user = forms.ModelChoiceField(
        label="代表的账号",
        queryset=User.objects.none(),
        help_text="令牌以该账号的角色和管辖范围读写（如 泰和县 的县级账号只能读写泰和县）",
    )
    access = forms.ChoiceField(label="权限", choices=ApiToken.Access.choices, initial=ApiToken.Access.READ)
    days = forms.IntegerField(label="有效期（天）", min_value=1, max_value=730, initial=365)
    rate_per_minute = forms.IntegerField(label="每分钟请求上限", min_value=1, max_value=100_000, initial=120)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True).exclude(role__in=ADMIN_ROLES)
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.username}（{u.get_role_display()}：{u.jurisdiction_label}）"
        )


class WebhookForm(forms.Form):
    name = forms.CharField(label="名称", max_length=60, help_text="接收系统的名称，如 省两新党建平台")
    url = forms.URLField(
        label="接收地址",
        max_length=500,
        assume_scheme="https",
        help_text="http(s) 地址，收到后返回 2xx 即视为送达",
    )
    events = forms.MultipleChoiceField(
        label="订阅事件", choices=WebhookEndpoint.Event.choices, widget=forms.CheckboxSelectMultiple
    )
