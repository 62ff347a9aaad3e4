"""Forms for party organizations, instructors and inspections. Covered organizations are typed
as credit codes (the same rule as the import sheet) and must be visible to the user."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.core.models import MemberUnit, MemberUnitKind
from liangxin.core.roles import Role
from liangxin.core.tabular import ValueProblem, parse_phone
from liangxin.core.widgets import DateInput
from liangxin.coverage.imports import parse_codes
from liangxin.coverage.models import (
    FINDINGS,
    BranchInspection,
    Formation,
    Instructor,
    PartyOrganization,
    PartyOrgStatus,
    PartyOrgType,
    Rating,
)


def _organizations_from_codes(text: str, visible_orgs) -> list:
    try:
        codes = parse_codes(text)
    except ValueProblem as exc:
        raise forms.ValidationError(exc.message) from None
    found = {o.credit_code: o for o in visible_orgs.filter(credit_code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise forms.ValidationError(
            f"统一社会信用代码{'、'.join(missing)}不在两新组织台账中（或不在您的管辖范围内），请核对"
        )
    return [found[c] for c in codes]


class PartyOrgForm(forms.Form):
    name = forms.CharField(label="党组织名称", max_length=200)
    org_type = forms.ChoiceField(
        label="党组织类别", choices=PartyOrgType.choices, initial=PartyOrgType.BRANCH
    )
    formation = forms.ChoiceField(label="组建方式", choices=Formation.choices)
    codes = forms.CharField(
        label="覆盖组织统一社会信用代码",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="多个代码用顿号、逗号、分号或换行分隔",
    )
    parent = forms.ModelChoiceField(
        label="上级党组织", queryset=PartyOrganization.objects.none(), required=False
    )
    secretary = forms.CharField(label="书记姓名", max_length=50, required=False)
    secretary_dispatched = forms.BooleanField(label="派驻书记", required=False)
    secretary_sent_by = forms.CharField(
        label="派出单位", max_length=100, required=False, help_text="派驻书记必填：派出该书记的单位"
    )
    founded_on = forms.DateField(label="成立日期", required=False, widget=DateInput())
    term_ends_on = forms.DateField(label="任期届满日期", required=False, widget=DateInput())
    status = forms.ChoiceField(label="状态", choices=PartyOrgStatus.choices, initial=PartyOrgStatus.ACTIVE)
    dissolved_on = forms.DateField(label="撤销日期", required=False, widget=DateInput())
    owner_unit = forms.ModelChoiceField(
        label="所属成员单位（行业党委）",
        queryset=MemberUnit.objects.none(),
        required=False,
        help_text="行业（综合）党委由成员单位管理：类别选“党委”，并选择其成员单位",
    )

    def __init__(
        self, *args, visible_orgs, visible_party_orgs, instance=None, units=None, kept: int = 0, **kwargs
    ):
        """`kept`: organizations it covers that the user may not see (they stay covered)."""
        super().__init__(*args, **kwargs)
        self.kept = kept
        if units is None:
            del self.fields["owner_unit"]
        else:
            self.fields["owner_unit"].queryset = units
        self.visible_orgs = visible_orgs
        self.instance = instance
        parents = visible_party_orgs.filter(
            org_type__in=[PartyOrgType.COMMITTEE, PartyOrgType.GENERAL_BRANCH]
        )
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
        self.fields["parent"].queryset = parents.order_by("name")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = PartyOrganization.objects.filter(name=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"已有名为“{name}”的党组织，党组织名称在全市不能重复")
        return name

    def clean_codes(self):
        return _organizations_from_codes(self.cleaned_data.get("codes", ""), self.visible_orgs)

    def clean(self):
        data = super().clean()
        if data.get("secretary_dispatched") and not (data.get("secretary_sent_by") or "").strip():
            self.add_error("secretary_sent_by", "派驻书记须填写派出单位")
        if data.get("secretary_dispatched") and not (data.get("secretary") or "").strip():
            self.add_error("secretary", "派驻书记须填写书记姓名")
        if data.get("dissolved_on") and data.get("status") != PartyOrgStatus.DISSOLVED:
            self.add_error("dissolved_on", "填写了撤销日期，但状态不是“撤销”，请核对")
        if data.get("owner_unit") and data.get("org_type") != PartyOrgType.COMMITTEE:
            self.add_error("org_type", "行业（综合）党委的类别应为“党委”")
        if data.get("formation") == Formation.JOINT and len(data.get("codes") or []) + self.kept == 1:
            self.add_error("codes", "联合组建的党组织应覆盖 2 个以上组织")
        return data


def department_units():
    return MemberUnit.objects.filter(kind=MemberUnitKind.DEPARTMENT, active=True).order_by("sort", "id")


class InstructorForm(forms.Form):
    name = forms.CharField(label="指导员姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=30)
    workplace = forms.CharField(label="工作单位", max_length=100, required=False)
    codes = forms.CharField(
        label="指导组织统一社会信用代码",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="多个代码用顿号、逗号、分号或换行分隔",
    )
    starts_on = forms.DateField(label="派驻日期", required=False, widget=DateInput())
    account = forms.CharField(
        label="登录账号（用户名）",
        max_length=150,
        required=False,
        help_text="该指导员登录本系统的用户名（角色为“党建指导员”的账号，由安全管理员开设）。"
        "关联后，该账号只能看到其当前指导的组织及覆盖这些组织的党组织",
    )

    def __init__(self, *args, visible_orgs, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible_orgs = visible_orgs
        self.instance = instance

    def clean_account(self) -> User | None:
        """One message for every account that cannot be linked, so the form tells nobody which
        usernames exist, what role they hold or which instructor holds them."""
        username = self.cleaned_data.get("account", "").strip()
        if not username:
            return None
        user = User.objects.filter(username=username, role=Role.INSTRUCTOR).first()
        other = Instructor.objects.filter(user=user) if user is not None else None
        if other is not None and self.instance is not None:
            other = other.exclude(pk=self.instance.pk)
        if user is None or other.exists():
            raise forms.ValidationError(
                f"账号“{username}”不能关联：只能关联尚未关联其他指导员的“党建指导员”账号，"
                "请核对用户名，或请安全管理员开设"
            )
        return user

    def clean_phone(self):
        try:
            return parse_phone(self.cleaned_data["phone"])
        except ValueProblem as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_codes(self):
        return _organizations_from_codes(self.cleaned_data.get("codes", ""), self.visible_orgs)


class FindingSelect(forms.NullBooleanSelect):
    """是 / 否 / 未检查 for a finding that may not have been checked."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "未检查"), ("true", "是"), ("false", "否")]


class InspectionForm(forms.ModelForm):
    class Meta:
        model = BranchInspection
        fields = [
            "inspected_on",
            "meetings_held",
            "secretary_in_post",
            "organizations_registered",
            "life_meeting_held",
            "dues_collected",
            "venue_in_place",
            "members_contacted",
            "rating",
            "problems",
            "actions",
            "inspector",
        ]
        widgets = {
            "inspected_on": DateInput(),
            "problems": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 3}),
            **{field: FindingSelect() for field, _ in FINDINGS},
        }

    rating = forms.ChoiceField(label="评定等次", choices=Rating.choices)

    def __init__(self, *args, party_org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.party_org = party_org

    def clean_inspected_on(self):
        day = self.cleaned_data["inspected_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("排查日期不能晚于今天")
        start = self.party_org.covers_from if self.party_org is not None else None
        if start and day < start:
            raise forms.ValidationError(f"排查日期早于该党组织的成立日期（{start:%Y-%m-%d}），请核对")
        return day
