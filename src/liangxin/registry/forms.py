"""The organization form runs exactly the import's validation (rules.parse_row)."""

from __future__ import annotations

from django import forms

from liangxin.core.locking import VersionedForm
from liangxin.core.masking import may_see_in_full, shown
from liangxin.core.models import Industry, MemberUnit, RegionLevel
from liangxin.core.widgets import DateInput
from liangxin.registry import rules
from liangxin.registry.models import OrgKind, RegStatus


class FormReader:
    """The RowReader interface over a form's cleaned text, so rules.parse_row serves both."""

    def __init__(self, values: dict[str, str], labels: dict[str, str]):
        self.values = values
        self.labels = labels
        self.problems: list[tuple[str | None, str]] = []

    def has(self, key: str) -> bool:
        return key in self.values

    def raw(self, key: str):
        return self.values.get(key)

    def header(self, key: str) -> str:
        return self.labels.get(key, key)

    def problem(self, key: str | None, message: str) -> None:
        self.problems.append((key, message))

    def get(self, key, parser, *, required=False, **kwargs):
        from liangxin.core.tabular import ValueProblem, is_empty

        raw = self.values.get(key)
        if is_empty(raw):
            if required:
                self.problem(key, f"“{self.header(key)}”不能为空，请填写")
            return None
        try:
            return parser(raw, **kwargs)
        except ValueProblem as exc:
            self.problem(key, exc.message)
            return None


def _choices(pairs):
    return [("", "—"), *list(pairs)]


class OrganizationForm(VersionedForm):
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30, required=False)
    name = forms.CharField(label="组织名称", max_length=200, required=False)
    kind = forms.ChoiceField(
        label="组织类别",
        required=False,
        help_text="留空时由信用代码第 1–2 位判断",
        choices=_choices((label, label) for label in OrgKind.labels),
    )
    region = forms.ChoiceField(label="所属区划", required=False)
    area = forms.ChoiceField(label="所属园区/楼宇/市场", required=False)
    industry = forms.ChoiceField(label="所属行业", required=False)
    founded_on = forms.CharField(label="成立日期", required=False, widget=DateInput())
    status = forms.ChoiceField(
        label="登记状态", required=False, choices=[(label, label) for label in RegStatus.labels]
    )
    employees = forms.CharField(label="从业人员数", required=False)
    party_members = forms.CharField(label="正式党员数", required=False)
    probationary_members = forms.CharField(label="预备党员数", required=False)
    above_scale = forms.BooleanField(label="规上企业", required=False)
    tags = forms.CharField(
        label="重点标签", required=False, help_text="多个用顿号“、”分隔，如 专精特新“小巨人”、产业链头部企业"
    )
    supervising_unit = forms.ChoiceField(label="主管单位", required=False)
    address = forms.CharField(label="地址", required=False)
    contact = forms.CharField(label="联系人", required=False)
    phone = forms.CharField(label="联系电话", required=False)

    def __init__(self, *args, regions, areas, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        editing = org is not None
        self.fields["credit_code"].widget.attrs["autofocus"] = not editing
        if editing:
            self.fields["credit_code"].disabled = True
        region_choices = []
        for region in regions.filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP]).select_related(
            "parent"
        ):
            label = (
                region.name if region.level == RegionLevel.COUNTY else f"{region.parent.name} / {region.name}"
            )
            region_choices.append((region.code, label))
        self.fields["region"].choices = _choices(region_choices)
        self.fields["area"].choices = _choices((a.name, a.name) for a in areas)
        self.fields["industry"].choices = _choices(
            (i.code if i.is_section else f"{i.section}{i.code}", f"{i.code} {i.name}")
            for i in Industry.objects.all()
        )
        self.fields["supervising_unit"].choices = _choices(
            (u.name, u.name) for u in MemberUnit.objects.filter(active=True)
        )
        self.required_keys = {"credit_code", "name", "region"}
        for key in self.required_keys:
            self.fields[key].widget.attrs["required"] = True

    @classmethod
    def initial_for(cls, org, user) -> dict:
        """The form's values for `org`, personal data as `user` may see it: a masked value sent
        back untouched means “unchanged” (the import rules read it so)."""
        full = may_see_in_full(user, org)
        industry = ""
        if org.industry_id:
            industry = f"{org.industry_section}{org.industry_id}"
        elif org.industry_section:
            industry = org.industry_section
        return {
            "credit_code": org.credit_code,
            "name": org.name,
            "kind": org.get_kind_display(),
            "region": org.region.code,
            "area": org.area.name if org.area else "",
            "industry": industry,
            "founded_on": org.founded_on.isoformat() if org.founded_on else "",
            "status": org.get_status_display(),
            "employees": org.employees if org.employees is not None else "",
            "party_members": org.party_members,
            "probationary_members": org.probationary_members,
            "above_scale": org.above_scale,
            "tags": "、".join(t.name for t in org.tags.all()),
            "supervising_unit": org.supervising_unit.name if org.supervising_unit else "",
            "address": org.address,
            "contact": shown(user, org, "contact", full=full),
            "phone": shown(user, org, "phone", full=full),
        }

    def parse(self, lookups: rules.Lookups, *, today, credit_code: str | None = None) -> dict | None:
        """Run the import's rules over the cleaned form; errors land on their fields."""
        values = {k: ("" if v is None else v) for k, v in self.cleaned_data.items()}
        values["above_scale"] = "是" if self.cleaned_data.get("above_scale") else "否"
        if credit_code is not None:
            values["credit_code"] = credit_code
        labels = {name: str(field.label) for name, field in self.fields.items()}
        reader = FormReader(values, labels)
        if not values.get("region"):
            reader.problem("region", "请选择所属区划")
        record = rules.parse_row(reader, lookups, today=today)
        for key, message in reader.problems:
            self.add_error(key if key in self.fields else None, message)
        return None if reader.problems else record


class FollowUpCloseForm(forms.Form):
    outcome = forms.ChoiceField(label="办理结果")
    note = forms.CharField(label="办理情况", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        from liangxin.registry.models import FollowUp

        if kind == FollowUp.Kind.CLOSED:
            outcomes = [FollowUp.Outcome.SETTLED, FollowUp.Outcome.NOT_NEEDED]
        else:
            outcomes = [
                FollowUp.Outcome.COLLECTED,
                FollowUp.Outcome.PARTY_ORG,
                FollowUp.Outcome.INSTRUCTOR,
                FollowUp.Outcome.NOT_NEEDED,
            ]
        self.fields["outcome"].choices = [(o.value, o.label) for o in outcomes]
