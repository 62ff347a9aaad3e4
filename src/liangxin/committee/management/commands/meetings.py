import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liangxin.committee.figures import Context
from liangxin.committee.meetings import decision_rows, default_as_of, meetings_json
from liangxin.committee.models import Meeting
from liangxin.coverage.management.commands._common import parse_as_of


class Command(BaseCommand):
    help = "工委会议：某年度的会议及其议定事项（牵头单位、责任单位、完成时限、调度任务编号和亮灯）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度，默认今年")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="亮灯截止日期，默认今天（往年为12月31日）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        today = timezone.localdate()
        year = opts["year"] or today.year
        if not 2000 <= year <= 2100:
            raise CommandError(f"年度“{year}”无效，应为四位年份，如 2022")
        as_of = parse_as_of(opts["as_of"]) if opts["as_of"] else default_as_of(year, today)
        meetings = Meeting.objects.filter(date__year=year)
        if opts["json"]:
            self.stdout.write(json.dumps(meetings_json(meetings, as_of), ensure_ascii=False, indent=2))
            return
        ctx = Context(as_of)
        self.stdout.write(f"{year}年工委会议（亮灯截至 {as_of:%Y-%m-%d}）")
        for m in meetings.order_by("date", "id"):
            self.stdout.write(f"{m.date:%Y-%m-%d}\t{m.name}\t{m.get_kind_display()}")
            for row in decision_rows(m, ctx):
                d = row.as_dict()
                self.stdout.write(
                    f"\t{row.decision.seq}. {d['title']}\t牵头：{d['lead']}\t时限：{d['deadline']}\t"
                    f"任务：{d['task_code'] or '—'}\t{row.light_label}"
                )
