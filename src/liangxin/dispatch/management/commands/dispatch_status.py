import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from liangxin.core.rates import format_percent as _pct
from liangxin.dispatch.models import Period
from liangxin.dispatch.periods import DispatchError, default_as_of, parse_period_key
from liangxin.dispatch.status import LIGHT_LABELS, REPORT_LABELS, period_status


class Command(BaseCommand):
    help = "月调度状态：某调度期（截至某日）的亮灯、报送率、按时报送率、单位得分与排名。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, metavar="YYYY-MM", help="调度期，例如 2022-05")
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="截至日期（默认今天；往月默认为该月最后一天）"
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        try:
            month = parse_period_key(opts["period"])
        except DispatchError as exc:
            raise CommandError(str(exc)) from None
        period = Period.objects.filter(month=month).select_related("plan").first()
        if period is None:
            raise CommandError(f"调度期 {opts['period']} 不存在（尚未打开或该年度没有任务清单）")
        as_of = default_as_of(period)  # a past month as it closed, like the pages
        if opts["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(opts["as_of"])
            except ValueError:
                raise CommandError(f"截至日期“{opts['as_of']}”格式不对，应为 YYYY-MM-DD") from None
        status = period_status(period, as_of)
        data = status.as_json()
        if opts["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        t = data["totals"]
        self.stdout.write(
            f"{period}调度（截至 {as_of}）：应报 {t['expected']}，已报 {t['submitted']}（{_pct(status.rate('submitted'))}），"
            f"按时 {t['on_time']}（{_pct(status.rate('on_time'))}）；"
            f"已完成 {t['done']}、正常 {t['green']}、滞后 {t['yellow']}、逾期 {t['red']}"
            + (f"；此前已完成 {t['earlier_done']}（不计入应报）" if t["earlier_done"] else "")
        )
        for task in data["tasks"]:
            self.stdout.write(f"{task['code']}. {task['title']}（牵头：{task['lead']}）")
            for u in task["units"]:
                progress = "—" if u["progress"] is None else f"{u['progress']}%"
                self.stdout.write(
                    f"    {u['unit']}：{LIGHT_LABELS[u['light']]}，{REPORT_LABELS[u['report']]}，进度 {progress}"
                    + ("，按时" if u["on_time"] else "")
                )
        for title, rows in (("红榜", status.red_list), ("黑榜", status.black_list)):
            names = "、".join(f"第{r.rank}名 {r.unit.name}（{r.score}分）" for r in rows) or "无"
            self.stdout.write(f"{title}（前后五名，含并列）：{names}")
        late = "、".join(
            f"{r.unit.name}（应报 {r.expected}，按时 {r.on_time}，迟报 {r.late}，未报 {r.missing}）"
            for r in status.late_units
        )
        self.stdout.write(f"未按时报送 {len(status.late_units)} 个单位" + (f"：{late}" if late else ""))
        self.stdout.write("单位排名：")
        for u in data["units"]:
            if u["rank"] is None:
                self.stdout.write(f"   —  {u['unit']}：本月无应报送事项，不参与排名")
                continue
            self.stdout.write(
                f"  {u['rank']:>2}. {u['unit']}：得分 {u['score']}，报送率 {_pct(u['rate'])}，按时报送率 {_pct(u['on_time_rate'])}"
            )
