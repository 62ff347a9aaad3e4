import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liangxin.brands.models import Brand, Campaign
from liangxin.brands.status import campaign_status
from liangxin.core.commandusers import command_user
from liangxin.core.models import MemberUnit


class Command(BaseCommand):
    help = "品牌申报情况：应申报、已申报和逾期未申报的单位，各阶段品牌数，待回访、逾期回访和已停止运行（推出即下架）的品牌。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, metavar="YYYY", help="申报年度")
        parser.add_argument("--as-of", default=None, metavar="YYYY-MM-DD", help="统计日期（默认今天）")
        parser.add_argument("--user", default=None, help="按该账号的管辖范围统计（默认全市）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(year=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"{opts['campaign']}年尚未开启品牌申报")
        try:
            as_of = datetime.date.fromisoformat(opts["as_of"]) if opts["as_of"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"日期“{opts['as_of']}”格式不对，应为 YYYY-MM-DD，例如 2022-07-01") from None
        user = command_user(opts["user"])
        brands = Brand.objects.restrict(user) if user else None
        units = MemberUnit.objects.restrict(user) if user else None
        status = campaign_status(campaign, as_of, brands=brands, units=units)
        if opts["json"]:
            self.stdout.write(json.dumps(status.as_json(), ensure_ascii=False, indent=2))
            return
        data = status.as_json()
        self.stdout.write(
            f"{campaign.title}（截止 {campaign.deadline:%Y-%m-%d}，统计至 {as_of:%Y-%m-%d}）：应申报 {data['expected_units']} 个单位，"
            f"已申报 {data['reported_units']} 个"
        )
        if data["late_units"]:
            self.stdout.write("逾期未申报：" + "、".join(data["late_units"]))
        self.stdout.write("品牌：" + "，".join(f"{k} {v}" for k, v in data["brands"].items()))
        self.stdout.write(
            f"待回访 {data['revisits_due']}，逾期未回访 {data['revisits_overdue']}，已停止运行（推出即下架）{data['inactive']}"
        )
