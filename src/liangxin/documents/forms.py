"""The period page's forms: the 公文 parts of one bulletin, and the office's own template."""

from __future__ import annotations

from django import forms

from .letterhead import Letterhead


class LetterheadForm(forms.Form):
    """Every field may stay empty: empty takes the default shown as the placeholder."""

    issuing_office = forms.CharField(label="发文机关", max_length=60, required=False)
    issue_number = forms.IntegerField(
        label="期号",
        required=False,
        min_value=1,
        max_value=999,
        error_messages={
            "invalid": "期号应为整数，例如 5",
            "min_value": "期号应在1至999之间",
            "max_value": "期号应在1至999之间",
        },
    )
    doc_number = forms.CharField(label="发文字号", max_length=40, required=False)
    recipients = forms.CharField(label="主送", max_length=300, required=False)
    signer = forms.CharField(label="署名", max_length=60, required=False)
    signed_on = forms.DateField(
        label="成文日期",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "成文日期格式不对，应为 YYYY-MM-DD，例如 2022-06-06"},
    )
    copy_to = forms.CharField(label="抄送", max_length=300, required=False)

    def cleaned_fields(self) -> dict:
        """The model's values: text stripped (empty = default), numbers and dates or None."""
        data = dict(self.cleaned_data)
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = value.strip()
        return data

    def first_error(self) -> str:
        """“期号：期号应在1至999之间” — the field and the reason, for a message."""
        for name, errors in self.errors.items():
            return f"{self.fields[name].label}：{errors[0]}"
        return ""

    @classmethod
    def placeholders(cls, letterhead: Letterhead) -> dict[str, str]:
        """What an empty field becomes, shown in the field."""
        return {
            "issuing_office": letterhead.office,
            "recipients": letterhead.recipients,
            "signer": letterhead.signer,
            "copy_to": "例如：市委组织部，市委办公室",
            "doc_number": "例如：吉两新办发〔2022〕5号（填写后代替期号）",
        }


class TemplateUploadForm(forms.Form):
    template = forms.FileField(
        label="通报模板（.docx）",
        error_messages={
            "required": "请选择要上传的 .docx 模板文件",
            "empty": "上传的模板是空文件（0 字节）",
            "invalid": "请选择要上传的 .docx 模板文件",
        },
    )
