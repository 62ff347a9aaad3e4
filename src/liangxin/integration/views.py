"""五融入五提升 pages: the assessments (search, filters, export), one assessment, the form, and
the summaries by county, industry and member unit."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import F, Q
from django.shortcuts import redirect, render
from django.utils import timezone

from liangxin.core.downloads import import_template_download, table_download
from liangxin.core.listing import paginate
from liangxin.core.models import Industry, Region, RegionLevel
from liangxin.core.permissions import (
    CHANGE,
    get_restricted_or_404,
    get_visible_or_404,
    role_required,
    visible,
)
from liangxin.core.roles import Role
from liangxin.integration import services
from liangxin.integration.forms import AssessmentForm
from liangxin.integration.imports import NOTES, SPEC, TEMPLATE_TITLE
from liangxin.integration.models import DIMENSIONS, Assessment
from liangxin.integration.summary import BY_LABELS, summarize
from liangxin.registry.models import Organization

VIEWERS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP, Role.PARK)
EDITORS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP)


def _year(request) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else timezone.localdate().year


def filtered(request):
    """The rows the list's filters select, within what the viewer sees, and the filters as read:
    one rule for the page, its export and the API (`api/`)."""
    rows = visible(Assessment, request).select_related("organization")
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(Q(organization__name__contains=q) | Q(organization__credit_code__startswith=q))
    filters = {"q": q}
    for key, lookup in (
        ("county", "organization__county_code"),
        ("section", "organization__industry_section"),
    ):
        value = request.GET.get(key, "")
        if value:
            rows = rows.filter(**{lookup: value})
        filters[key] = value
    year = request.GET.get("year", "")
    if year.isdigit():
        rows = rows.filter(year=int(year))
    filters["year"] = year
    return rows, filters


@role_required(*VIEWERS)
def assessment_list(request):
    rows, filters = filtered(request)
    total = sum(F(key) for key, _ in DIMENSIONS)
    page, query = paginate(request, rows.annotate(score=total).order_by("-year", "organization__name"))
    return render(
        request,
        "integration/assessment_list.html",
        {
            "page": page,
            "query": query,
            "counties": visible(Region, request).filter(level=RegionLevel.COUNTY).order_by("code"),
            "sections": Industry.objects.filter(code__regex=r"^[A-T]$").order_by("code"),
            "dimensions": DIMENSIONS,
            "can_edit": request.user.role in EDITORS,
            **filters,
        },
    )


@role_required(*VIEWERS)
def assessment_export(request, fmt: str):
    rows, _ = filtered(request)
    headers = [c.label for c in SPEC.columns]

    def lines():
        for a in rows.order_by("-year", "organization__credit_code"):
            values = [a.organization.credit_code, a.organization.name, a.year]
            for key, _ in DIMENSIONS:
                values += [getattr(a, key), getattr(a, f"{key}_note")]
            yield [*values, a.assessor, a.assessed_on]

    return table_download(
        request, fmt, "五融入五提升评估", headers, lines(), action="integration.assessment.exported"
    )


@role_required(*VIEWERS)
def assessment_detail(request, pk: int):
    assessment = get_visible_or_404(Assessment, request, pk=pk)
    items = [
        (label, getattr(assessment, key), getattr(assessment, f"{key}_note")) for key, label in DIMENSIONS
    ]
    can_edit = Assessment.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()
    return render(
        request, "integration/assessment_detail.html", {"a": assessment, "items": items, "can_edit": can_edit}
    )


@role_required(*EDITORS)
def assessment_edit(request, pk: int | None = None):
    assessment = get_restricted_or_404(Assessment, request, CHANGE, pk=pk) if pk else None
    initial = {"year": timezone.localdate().year, "assessed_on": timezone.localdate()}
    if assessment:
        initial = {
            "credit_code": assessment.organization.credit_code,
            "year": assessment.year,
            "assessor": assessment.assessor,
            "assessed_on": assessment.assessed_on,
        }
        for key, _ in DIMENSIONS:
            initial[key] = str(getattr(assessment, key))
            initial[f"{key}_note"] = getattr(assessment, f"{key}_note")
    form = AssessmentForm(
        request.POST or None,
        initial=initial,
        organizations=Organization.objects.restrict(request.user, CHANGE),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved, _ = services.save_assessment(
                data["organization"],
                actor=request.user,
                year=data["year"],
                scores={key: data[key] for key, _ in DIMENSIONS},
                notes={key: data[f"{key}_note"] for key, _ in DIMENSIONS},
                assessor=data["assessor"],
                assessed_on=data["assessed_on"],
            )
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存“{saved.organization.name}”{saved.year}年的评估")
            return redirect("integration:detail", pk=saved.pk)
    return render(request, "integration/assessment_form.html", {"form": form, "assessment": assessment})


@role_required(*VIEWERS)
def summary_page(request):
    year = _year(request)
    by = request.GET.get("by", "region")
    by = by if by in BY_LABELS else "region"
    summary = summarize(visible(Assessment, request), year, by)
    return render(
        request,
        "integration/summary.html",
        {
            "summary": summary,
            "year": year,
            "by": by,
            "by_label": BY_LABELS[by],
            "by_labels": BY_LABELS,
            "dimensions": DIMENSIONS,
        },
    )


@role_required(*VIEWERS)
def import_template(request):
    """A blank 五融入五提升 sheet with its 填表说明; the import page reads it back."""
    return import_template_download(TEMPLATE_TITLE, SPEC, NOTES)
