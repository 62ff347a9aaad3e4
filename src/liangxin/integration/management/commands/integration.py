import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liangxin.core.commandusers import command_user
from liangxin.coverage.management.commands._common import parse_as_of
from liangxin.integration.models import Assessment
from liangxin.integration.summary import BY_LABELS, summarize


class Command(BaseCommand):
    help = "“五融入五提升”汇总：按县（市、区）、行业、主管成员单位或行业（综合）党委统计已评估组织数、各维度平均分、最薄弱维度和较上年变化。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="年度（默认今年）")
        parser.add_argument(
            "--by",
            default="region",
            choices=sorted(BY_LABELS),
            help="分组：region 县区，industry 行业门类，unit 成员单位，committee 行业（综合）党委",
        )
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="只计该日及以前作出的评估（默认全部）")
        parser.add_argument("--user", default=None, help="按该账号的管辖范围统计（默认全市）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        year = opts["year"] or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise CommandError(f"年度“{year}”不对，应为如 2022 的四位年份")
        user = command_user(opts["user"])
        visible = Assessment.objects.restrict(user) if user else Assessment.objects.all()
        as_of = parse_as_of(opts["as_of"]) if opts["as_of"] else None
        summary = summarize(visible, year, opts["by"], as_of=as_of)
        if opts["json"]:
            self.stdout.write(json.dumps(summary.as_json(), ensure_ascii=False, indent=2))
            return
        t = summary.total
        self.stdout.write(
            f"{year}年已评估 {t.assessed} 个组织，五项平均 {t.overall or '—'} 分，最薄弱：{t.weakest_label}"
        )
        self.stdout.write(f"按{BY_LABELS[opts['by']]}：")
        for row in summary.rows:
            change = f"，较上年 {row.change:+}" if row.change is not None else ""
            self.stdout.write(
                f"  {row.label}：{row.assessed} 个，平均 {row.overall or '—'}，最薄弱 {row.weakest_label}{change}"
            )
