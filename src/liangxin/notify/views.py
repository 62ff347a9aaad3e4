from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from liangxin.core.listing import paginate
from liangxin.core.masking import mask
from liangxin.core.permissions import role_required
from liangxin.core.roles import Role
from liangxin.dispatch.models import Notice
from liangxin.notify import preferences as prefs
from liangxin.notify import robots
from liangxin.notify.channels import channels_on, mobile_of, quiet_until
from liangxin.notify.forms import PreferenceForm, RobotForm
from liangxin.notify.models import Channel, Delivery, RobotEndpoint


@login_required
def preferences(request):
    chosen = prefs.current(request.user)
    initial = {"robot_kinds": chosen[Channel.ROBOT], "sms_kinds": chosen[Channel.SMS]}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        prefs.save(request.user, **form.cleaned_data)
        messages.success(request, "消息接收设置已保存")
        return redirect("notify:preferences")
    mine = Delivery.objects.filter(user=request.user) | Delivery.objects.filter(
        channel=Channel.ROBOT, notice__in=Notice.objects.restrict(request.user)
    )
    context = {
        "form": form,
        "mobile": mobile_of(request.user),
        "channels_on": channels_on(),
        "quiet_hours": quiet_hours_label(),
        "recent": mine.select_related("notice", "notice__unit").order_by("-created_at", "-id")[:20],
    }
    return render(request, "notify/preferences.html", context)


def quiet_hours_label() -> str:
    span = settings.LIANGXIN_NOTIFY_QUIET_HOURS
    if not span:
        return ""
    return f"{span[0]}至次日{span[1]}" if span[0] > span[1] else f"{span[0]}至{span[1]}"


@role_required(Role.OFFICE)
def delivery_list(request):
    rows = Delivery.objects.filter(notice__in=Notice.objects.restrict(request.user)).select_related(
        "notice", "notice__unit"
    )
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    if status in Delivery.Status.values:
        rows = rows.filter(status=status)
    if channel in Channel.values:
        rows = rows.filter(channel=channel)
    page, query = paginate(request, rows)
    for row in page:
        row.masked_recipient = mask("phone", row.recipient) if row.recipient else (row.group or "单位工作群")
    return render(
        request,
        "notify/deliveries.html",
        {
            "page": page,
            "query": query,
            "status": status,
            "channel": channel,
            "statuses": Delivery.Status.choices,
            "channels": Channel.choices,
            "quiet_until": quiet_until(),
        },
    )


@role_required(Role.SYSTEM_ADMIN)
def robot_list(request):
    """各单位群机器人 (系统管理员): set, replace or remove a unit's or a region's robot; the
    addresses are shown masked, the city's from the settings."""
    form = RobotForm(request.POST or None)
    if request.method == "POST" and request.POST.get("clear"):
        removed = robots.clear_robot(actor=request.user, endpoint_id=int(request.POST["clear"] or 0))
        if removed is not None:
            messages.success(request, f"已删除{removed}的群机器人，今后其提醒发往上级区划或全市工作群")
        return redirect("notify:robots")
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = robots.set_robot(actor=request.user, url=form.cleaned_data["url"], **form.owner())
        except ValidationError as error:
            form.add_error("url" if "地址" in error.messages[0] else "target", error.messages[0])
        else:
            messages.success(request, f"已保存{endpoint}的群机器人：{robots.masked(endpoint.url)}")
            return redirect("notify:robots")
    rows = list(RobotEndpoint.objects.select_related("unit", "region", "region__parent", "updated_by"))
    rows.sort(
        key=lambda e: (
            e.region_id is not None,
            e.unit.sort if e.unit_id else 0,
            e.region.code if e.region_id else "",
        )
    )
    for row in rows:
        row.masked_url = robots.masked(row.url)
    context = {
        "form": form,
        "rows": rows,
        "city_url": robots.masked(settings.LIANGXIN_NOTIFY_ROBOT_URL),
    }
    return render(request, "notify/robots.html", context)
