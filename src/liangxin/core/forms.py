from django import forms

from liangxin.core.models import Area, Industry, MemberUnit, Region, RegionLevel


class AreaForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ["name", "kind", "region", "note"]

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions.filter(
            level__in=[RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
        )


class TagsField(forms.CharField):
    """A list typed as text separated by 、，,；; or new lines."""

    SEPARATORS = "、，,；;\n"

    def prepare_value(self, value):
        if isinstance(value, list):
            return "、".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        for sep in self.SEPARATORS:
            text = text.replace(sep, "\n")
        seen: list[str] = []
        for item in (part.strip() for part in text.split("\n")):
            if item and item not in seen:
                seen.append(item)
        return seen


class MemberUnitForm(forms.ModelForm):
    tags = TagsField(label="主管重点群体/标签", required=False, help_text="多个用顿号“、”分隔")
    industries = forms.ModelMultipleChoiceField(
        label="主管行业（国民经济行业分类）",
        queryset=Industry.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text="按住 Ctrl 可多选；选门类表示整个门类",
    )

    class Meta:
        model = MemberUnit
        fields = ["name", "kind", "region", "industries", "tags", "contact", "phone", "sort", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(
            level__in=[RegionLevel.CITY, RegionLevel.COUNTY]
        )
