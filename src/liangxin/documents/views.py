"""The office's bulletin pages: the list of periods, a period's page, and the published files.

The bulletin is city-wide and published to every unit, so member units and counties may
download a published bulletin (read-only); only the office sees drafts, opens a period's page,
edits its 下步要求, generates, publishes and re-opens.

A period's page previews the bulletin from the same BulletinData and the same sentences
(docx.bulletin_context) the .docx is rendered from, so the page and the document say the same.
"""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_POST

from liangxin.core import audit
from liangxin.core.permissions import role_required
from liangxin.core.roles import Role
from liangxin.dispatch.models import Period
from liangxin.dispatch.periods import default_as_of

from . import publishing, template_upload
from .build_template import COVERAGE_HEADERS, TASK_HEADERS
from .bulletin import default_title
from .docx import DEFAULT_TEMPLATE, TemplateProblem, bulletin_context, template_path, uploaded_template
from .forms import LetterheadForm, TemplateUploadForm
from .models import Bulletin, BulletinTemplate
from .serialize import SnapshotProblem
from .services import BulletinProblem

READERS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY)
OFFICE = (Role.OFFICE,)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = {"docx": (DOCX, "Word"), "xlsx": (XLSX, "Excel")}
PROBLEMS = (BulletinProblem, TemplateProblem, SnapshotProblem)
# The generate form sends a token; the file's response sets it as this cookie, so the page's
# script can tell the user the file is ready (a download does not reload the page).
READY_COOKIE = "bulletin_ready"
TOKEN = re.compile(r"^[A-Za-z0-9]{1,40}$")


def _readable(user):
    rows = Bulletin.objects.all()
    return rows if user.role == Role.OFFICE else rows.filter(status=Bulletin.Status.PUBLISHED)


def _month(period: str) -> datetime.date:
    """2022-05 → 2022-05-01; anything else is a page that does not exist."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", period)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise Http404("调度期格式不对，应为 YYYY-MM，例如 2022-05")
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


def _dispatch_period(period: str) -> Period:
    month = _month(period)
    found = Period.objects.filter(month=month).first()
    if found is None:
        raise Http404(f"{month.year}年{month.month}月没有调度期，无法生成通报")
    return found


def _default_as_of(period: Period) -> datetime.date:
    """Today in the current month; a past month as it closed, on its last day (the date the
    office uses for last month's bulletin, and the one the dispatch pages show)."""
    return default_as_of(period)


def _as_of(request, period: Period) -> tuple[datetime.date, str]:
    """The as-of date asked for (GET or POST “as_of”), else the default; and a problem, if any."""
    raw = (request.POST.get("as_of") or request.GET.get("as_of") or "").strip()
    if not raw:
        return _default_as_of(period), ""
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        return _default_as_of(period), f"截至日期“{raw}”格式不对，应为 YYYY-MM-DD，已改用默认日期"
    if day < period.month:
        return _default_as_of(
            period
        ), f"截至日期不能早于调度期开始（{period.month:%Y-%m-%d}），已改用默认日期"
    return day, ""


def _page_url(period: str, as_of: datetime.date | None = None) -> str:
    url = reverse("documents:period", args=[period])
    return f"{url}?{urlencode({'as_of': as_of.isoformat()})}" if as_of else url


def _file_response(content: bytes, kind: str, period: str, title: str) -> HttpResponse:
    content_type, _ = KINDS[kind]
    response = HttpResponse(content, content_type=content_type)
    name = f"{title or f'通报-{period}'}{'' if kind == 'docx' else '（数据表）'}.{kind}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _downloaded(request, period: str, kind: str, *, published: bool, size: int) -> None:
    audit.record(
        "documents.bulletin.downloaded",
        actor=request.user,
        object_type="documents.bulletin",
        object_id=period,
        object_repr=f"{period} 通报（{KINDS[kind][1]}）",
        after={"period": period, "kind": kind, "published": published, "bytes": size},
    )


# ---------------------------------------------------------------------------- list


@role_required(*READERS)
def bulletins(request):
    rows = list(_readable(request.user).defer("docx", "xlsx", "snapshot"))
    if request.user.role == Role.OFFICE:
        # Every dispatch period has a page, whether or not a draft was saved for it yet.
        known = {row.period for row in rows}
        for period in Period.objects.order_by("-month"):
            if period.key not in known:
                rows.append(Bulletin(period=period.key, as_of=_default_as_of(period)))
        rows.sort(key=lambda row: row.period, reverse=True)
    return render(request, "documents/bulletins.html", {"bulletins": rows})


@role_required(*READERS)
def download(request, period: str, kind: str):
    bulletin = _readable(request.user).filter(period=period, status=Bulletin.Status.PUBLISHED).first()
    if bulletin is None or kind not in KINDS:
        raise Http404("没有这一期已发布的通报")
    content = bytes(bulletin.docx if kind == "docx" else bulletin.xlsx)
    try:
        title = publishing.stored_bulletin(bulletin).title
    except SnapshotProblem:
        title = ""
    _downloaded(request, period, kind, published=True, size=len(content))
    return _file_response(content, kind, period, title)


# ---------------------------------------------------------------------------- a period


@role_required(*OFFICE)
def period_page(request, period: str):
    dispatch_period = _dispatch_period(period)
    row = Bulletin.objects.filter(period=period).defer("docx", "xlsx").first()
    published = row is not None and row.is_published
    as_of, problem = _as_of(request, dispatch_period)
    if problem:
        messages.warning(request, problem)
    data, error = None, ""
    letterhead = publishing.letterhead_for(
        dispatch_period.month, issue_date=timezone.localdate(), row=row if row is not None else Bulletin()
    )
    try:
        if published:
            data, as_of = publishing.stored_bulletin(row), row.as_of
        else:
            data = publishing.build(
                period=dispatch_period.month,
                as_of=as_of,
                issue_date=timezone.localdate(),
                letterhead=letterhead,
            )
    except PROBLEMS as exc:
        error = str(exc)
    saved = row.requirements if row else ""
    form = LetterheadForm(
        initial={name: getattr(row, name) for name in publishing.LETTERHEAD_FIELDS} if row else None
    )
    uploaded = BulletinTemplate.objects.defer("content").first()
    return render(
        request,
        "documents/bulletin_period.html",
        {
            "period": period,
            "dispatch_period": dispatch_period,
            "bulletin": row,
            "published": published,
            "as_of": as_of,
            "data": data,
            "doc": bulletin_context(data, letterhead) if data else None,
            "letterhead": letterhead,
            "letterhead_form": form,
            "placeholders": LetterheadForm.placeholders(letterhead),
            "next_number": publishing.next_issue_number(dispatch_period.month.year, besides=period),
            "template_form": TemplateUploadForm(),
            "uploaded_template": uploaded,
            "error": error,
            # the office's saved text, else the draft from the month's facts (data.requirements)
            "requirements_text": saved or ("\n".join(data.requirements) if data else ""),
            "requirements_saved": bool(saved),
            "coverage_headers": COVERAGE_HEADERS,
            "task_headers": TASK_HEADERS,
        },
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _save_posted_letterhead(request, dispatch_period: Period, as_of: datetime.date) -> bool:
    """The 公文 parts in the form are what the office sees, so they are what gets generated."""
    if not any(name in request.POST for name in publishing.LETTERHEAD_FIELDS):
        return False
    if publishing.published(dispatch_period.month) is not None:
        return False  # a published period keeps what it was published with
    form = LetterheadForm(request.POST)
    if not form.is_valid():
        raise BulletinProblem(form.first_error())
    publishing.save_letterhead(
        period=dispatch_period.month, as_of=as_of, actor=request.user, **form.cleaned_fields()
    )
    return True


def _save_posted_requirements(request, dispatch_period: Period, as_of: datetime.date) -> None:
    """The 下步要求 in the form is what the office sees, so it is what gets generated: keep it."""
    text = request.POST.get("requirements")
    if text is None or publishing.published(dispatch_period.month) is not None:
        return  # a published period keeps the text it was published with
    offered = request.POST.get("requirements_offered")
    if (
        offered is not None
        and _lines(text) == _lines(offered)
        and not publishing.draft_requirements(dispatch_period.month)
    ):
        return  # the draft offered by the page left as it was: it stays a draft of the facts
    publishing.save_requirements(period=dispatch_period.month, as_of=as_of, text=text, actor=request.user)


@require_POST
@role_required(*OFFICE)
def save_requirements(request, period: str):
    dispatch_period = _dispatch_period(period)
    as_of, _ = _as_of(request, dispatch_period)
    text = request.POST.get("requirements", "")
    if len(text) > 5000:
        messages.error(request, "“下步要求”不能超过5000字，未保存")
        return redirect(_page_url(period, as_of))
    try:
        with transaction.atomic():
            letterhead = _save_posted_letterhead(request, dispatch_period, as_of)
            publishing.save_requirements(
                period=dispatch_period.month, as_of=as_of, text=text, actor=request.user
            )
    except BulletinProblem as exc:
        messages.error(request, f"未保存：{exc}")
    else:
        messages.success(
            request,
            ("已保存公文要素和" if letterhead else "已保存")
            + (
                "“下步要求”草稿，生成和发布通报时使用。"
                if text.strip()
                else "草稿；“下步要求”已清空，生成时使用默认文字。"
            ),
        )
    return redirect(_page_url(period, as_of))


@require_POST
@role_required(*OFFICE)
def generate(request, period: str):
    dispatch_period = _dispatch_period(period)
    kind = request.POST.get("kind", "docx")
    if kind not in KINDS:
        messages.error(request, "只能生成 Word（.docx）或 Excel（.xlsx）文件")
        return redirect(_page_url(period))
    as_of, _ = _as_of(request, dispatch_period)
    try:
        if len(request.POST.get("requirements", "")) > 5000:
            raise BulletinProblem("“下步要求”不能超过5000字，未生成")
        _save_posted_letterhead(request, dispatch_period, as_of)
        _save_posted_requirements(request, dispatch_period, as_of)
        docx, xlsx = publishing.generate(
            period=dispatch_period.month,
            as_of=as_of,
            issue_date=timezone.localdate(),
            actor=request.user,
        )
    except PROBLEMS as exc:
        messages.error(request, f"通报生成失败：{exc}")
        return redirect(_page_url(period, as_of))
    stored = publishing.published(dispatch_period.month)
    content = docx if kind == "docx" else xlsx
    month = dispatch_period.month
    title = publishing.stored_bulletin(stored).title if stored else default_title(month.year, month.month)
    _downloaded(request, period, kind, published=stored is not None, size=len(content))
    response = _file_response(content, kind, period, title)
    token = request.POST.get("token", "")
    if TOKEN.match(token):
        response.set_cookie(READY_COOKIE, token, max_age=120, samesite="Lax")
    return response


@require_POST
@role_required(*OFFICE)
def publish(request, period: str):
    dispatch_period = _dispatch_period(period)
    as_of, _ = _as_of(request, dispatch_period)
    try:
        if len(request.POST.get("requirements", "")) > 5000:
            raise BulletinProblem("“下步要求”不能超过5000字，未发布")
        _save_posted_letterhead(request, dispatch_period, as_of)
        _save_posted_requirements(request, dispatch_period, as_of)
        bulletin = publishing.publish(
            period=dispatch_period.month,
            as_of=as_of,
            issue_date=timezone.localdate(),
            actor=request.user,
        )
    except PROBLEMS as exc:
        messages.error(request, f"发布失败：{exc}")
        return redirect(_page_url(period, as_of))
    messages.success(
        request,
        f"已发布{dispatch_period.month.year}年{dispatch_period.month.month}月通报（数据截至"
        f"{bulletin.as_of:%Y-%m-%d}）。各成员单位和县（市、区）可在通报列表下载；"
        "此后数据变化不影响本期通报。",
    )
    return redirect(_page_url(period))


@require_POST
@role_required(*OFFICE)
def reopen(request, period: str):
    dispatch_period = _dispatch_period(period)
    try:
        publishing.reopen(
            period=dispatch_period.month, actor=request.user, reason=request.POST.get("reason", "")
        )
    except BulletinProblem as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, "已重新开放本期通报：可修改后重新发布，原发布文件已作废（审计日志留有记录）。"
        )
    return redirect(_page_url(period))


# ---------------------------------------------------------------------------- the office's template


def _back(request) -> str:
    """Back to the period page the form was on (only a period page of this site)."""
    target = request.POST.get("next", "")
    if re.fullmatch(r"/documents/bulletins/\d{4}-\d{2}/", target):
        return target
    return reverse("documents:bulletins")


@require_POST
@role_required(*OFFICE)
def upload_template(request):
    form = TemplateUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"模板未上传：{form.errors['template'][0]}")
        return redirect(_back(request))
    upload = form.cleaned_data["template"]
    if upload.size > template_upload.MAX_BYTES:
        messages.error(request, f"模板未上传：“{upload.name}”大小超过 5 MB 上限")
        return redirect(_back(request))
    try:
        template_upload.upload_template(name=upload.name, content=upload.read(), actor=request.user)
    except TemplateProblem as exc:
        messages.error(request, f"模板未上传：{exc}")
    else:
        messages.success(
            request, f"已启用模板“{upload.name}”：此后生成和发布的通报都使用它（已发布的通报不变）。"
        )
    return redirect(_back(request))


@require_POST
@role_required(*OFFICE)
def reset_template(request):
    if template_upload.reset_template(actor=request.user):
        messages.success(request, "已恢复使用系统内置的通报模板。")
    else:
        messages.info(request, "当前已在使用系统内置的通报模板。")
    return redirect(_back(request))


@role_required(*OFFICE)
def current_template(request):
    """The template in use, to edit in Word and upload again."""
    uploaded = uploaded_template()
    if uploaded is not None:
        name, content = uploaded
    else:
        path = template_path()
        if not path.is_file():
            path = DEFAULT_TEMPLATE
        name, content = "通报模板.docx", path.read_bytes()
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
