import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liangxin.core.commandusers import command_user
from liangxin.core.models import Region
from liangxin.coverage.management.commands._common import parse_as_of
from liangxin.pairings.models import Pairing
from liangxin.pairings.totals import pairing_totals


class Command(BaseCommand):
    help = "结对共建汇总：按县（市、区）、主管成员单位、年度统计结对、项目、资金和受益人数，列出尚未结对的重点帮扶村。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="年度（默认今年）")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="只计该日及以前开始的结对（默认全部）")
        parser.add_argument("--user", default=None, help="按该账号的管辖范围统计（默认全市）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, year, user, json: bool, as_of, **opts):
        year = year or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise CommandError(f"年度“{year}”不对，应为如 2022 的四位年份")
        account = command_user(user)
        pairings = Pairing.objects.restrict(account) if account else Pairing.objects.all()
        villages = Region.objects.restrict(account) if account else Region.objects.all()
        as_of = parse_as_of(as_of) if as_of else None
        result = pairing_totals(pairings, year, villages=villages, as_of=as_of)
        if json:
            self.stdout.write(_dumps(result.as_json()))
            return
        t = result.total
        self.stdout.write(
            f"{year}年在结对 {t.pairings} 对：{t.organizations} 个组织、{t.villages} 个村（社区）"
            f"（重点帮扶村 {t.key_villages} 个）；项目 {t.projects} 个，资金 {t.funds} 万元，受益 {t.people_helped} 人"
        )
        for row in result.by_county:
            self.stdout.write(
                f"  {row.label}：结对 {row.pairings}，项目 {row.projects}，资金 {row.funds} 万元"
            )
        self.stdout.write(f"尚未结对的重点帮扶村 {len(result.unpaired_key_villages)} 个")
        for v in result.unpaired_key_villages:
            self.stdout.write(f"  {v.code} {v.parent.name if v.parent else ''}{v.name}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
