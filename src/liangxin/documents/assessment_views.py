"""年度考核 page (工委办公室): the ranked table of `assessment.assess` for a year, an as-of date
and weights (those in force, or others to try), and the same table as .xlsx and as a 公文."""

from __future__ import annotations

import datetime
import io

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from liangxin.core import audit
from liangxin.core.permissions import role_required
from liangxin.core.roles import Role
from liangxin.core.widgets import DateInput

from . import assessment, assessment_docx
from .pdf import PdfUnavailable, pdf_bytes

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = {"docx": "Word", "pdf": "PDF", "xlsx": "Excel"}


class AssessmentForm(forms.Form):
    year = forms.TypedChoiceField(label="考核年度", coerce=int)
    as_of = forms.DateField(label="截至日期", required=False, widget=DateInput())
    w1 = forms.IntegerField(label="月度平均分权重", min_value=0, max_value=100)
    w2 = forms.IntegerField(label="按期完成率权重", min_value=0, max_value=100)
    w3 = forms.IntegerField(label="覆盖提升分权重", min_value=0, max_value=100)
    w4 = forms.IntegerField(label="台账成绩分权重", min_value=0, max_value=100)

    def __init__(self, data, *, years: list[int]):
        w1, w2, w3, w4 = assessment.weights()
        today = timezone.localdate()
        default_year = today.year if today.year in years else (years[0] if years else today.year)
        merged = {
            "year": default_year,
            "w1": w1,
            "w2": w2,
            "w3": w3,
            "w4": w4,
            **{k: v for k, v in data.items() if v != ""},
        }
        super().__init__(merged)
        self.fields["year"].choices = [(y, f"{y}年") for y in years]

    def clean(self):
        data = super().clean()
        if all(k in data for k in ("w1", "w2", "w3")) and data["w1"] == 0:
            raise forms.ValidationError("月度平均分的权重不能为 0：考核以月度调度得分为基础")
        return data


def _assessed(request):
    """(form, entries, year, as_of, weights); entries None when the form has errors."""
    form = AssessmentForm(request.GET, years=assessment.assessed_years())
    if not form.is_valid():
        return form, None, None, None, None
    year = form.cleaned_data["year"]
    year_end = datetime.date(year, 12, 31)
    as_of = min(form.cleaned_data["as_of"] or timezone.localdate(), year_end)
    w = tuple(form.cleaned_data[k] for k in ("w1", "w2", "w3", "w4"))
    return form, assessment.assess(year, as_of, w=w), year, as_of, w


@role_required(Role.OFFICE)
def assessment_page(request):
    form, entries, year, as_of, w = _assessed(request)
    context = {
        "form": form,
        "entries": entries,
        "rows": assessment.table_rows(entries) if entries else [],
        "headers": assessment.HEADERS,
        "year": year,
        "as_of": as_of,
        "method": assessment.method_text(w) if w else "",
        "in_force": w == assessment.weights(),
        "query": request.GET.urlencode(),
        "has_years": bool(assessment.assessed_years()),
    }
    return render(request, "documents/assessment.html", context)


def _download(request, kind: str) -> HttpResponse:
    form, entries, year, as_of, w = _assessed(request)
    if not entries:
        message = (
            "；".join(e for errors in form.errors.values() for e in errors) or f"{year}年没有可考核的调度数据"
        )
        return HttpResponse(f"无法下载：{message}", status=400, content_type="text/plain; charset=utf-8")
    if kind in ("docx", "pdf"):
        content = assessment_docx.render(year, as_of, entries, w=w, issued_on=timezone.localdate())
        name, content_type = f"{assessment_docx.title(year)}.docx", DOCX
        if kind == "pdf":
            try:
                content = pdf_bytes(content, assessment_docx.title(year))
            except PdfUnavailable as error:
                return HttpResponse(
                    f"无法生成 PDF：{error}。请下载 Word 版。",
                    status=503,
                    content_type="text/plain; charset=utf-8",
                )
            name, content_type = f"{assessment_docx.title(year)}.pdf", "application/pdf"
    else:
        buffer = io.BytesIO()
        assessment.write_workbook(buffer, year, entries, w)
        content, name, content_type = buffer.getvalue(), f"{year}年度考核.xlsx", XLSX
    audit.record(
        "documents.assessment.downloaded",
        actor=request.user,
        object_type="documents.assessment",
        object_id=str(year),
        object_repr=f"{year}年度考核（{KINDS[kind]}）",
        after={"year": year, "as_of": as_of.isoformat(), "weights": list(w), "kind": kind},
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@role_required(Role.OFFICE)
def assessment_docx_download(request):
    return _download(request, "docx")


@role_required(Role.OFFICE)
def assessment_pdf_download(request):
    return _download(request, "pdf")


@role_required(Role.OFFICE)
def assessment_xlsx_download(request):
    return _download(request, "xlsx")
