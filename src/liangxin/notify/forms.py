from django import forms

from liangxin.dispatch.models import NOTICE_KINDS

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
