from django import forms

from liangxin.core.models import MemberUnit, Region
from liangxin.dispatch.models import NOTICE_KINDS
from liangxin.notify.robots import REGION_LEVELS

KIND_CHOICES = list(NOTICE_KINDS.items())


class PreferenceForm(forms.Form):
    robot_kinds = forms.MultipleChoiceField(
        label="政务微信群消息（@我）",
        choices=KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sms_kinds = forms.MultipleChoiceField(
        label="短信",
        choices=KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class RobotForm(forms.Form):
    """A unit's or a region's robot: the target as ``unit:<id>`` or ``region:<id>``."""

    target = forms.ChoiceField(label="单位或区划")
    url = forms.CharField(
        label="群机器人地址",
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="在该单位工作群的“群机器人”设置中复制的 Webhook 地址；保存后只显示其前后几位",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = [
            (f"unit:{u.pk}", u.name) for u in MemberUnit.objects.filter(active=True).order_by("sort", "id")
        ]
        regions = [
            (f"region:{r.pk}", f"{r.parent.name if r.parent_id and r.level != 'county' else ''}{r.name}")
            for r in Region.objects.filter(level__in=REGION_LEVELS).select_related("parent").order_by("code")
        ]
        self.fields["target"].choices = [
            ("", "请选择"),
            ("成员单位", units),
            ("县（市、区）、乡镇（街道）", regions),
        ]

    def owner(self) -> dict:
        kind, _, pk = self.cleaned_data["target"].partition(":")
        if kind == "unit":
            return {"unit": MemberUnit.objects.get(pk=pk)}
        return {"region": Region.objects.get(pk=pk)}
