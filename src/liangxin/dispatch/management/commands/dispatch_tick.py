import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liangxin.core.import_progress import TerminalBar
from liangxin.dispatch import jobs, reminders
from liangxin.dispatch.periods import DispatchError


class Command(BaseCommand):
    help = (
        "月调度定时任务：打开本月调度期、生成并发送到期提醒。可反复运行（建议每几分钟一次），同一提醒只发一次。"
        "加 --schedule 则交给任务队列（liangxin db_worker）每隔几分钟自动运行，重复执行不会重复排定。"
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="不立即运行，而是排入任务队列：由 liangxin db_worker 立即运行一次，之后每隔 --every 分钟运行",
        )
        parser.add_argument(
            "--every",
            type=int,
            default=jobs.EVERY_MINUTES,
            metavar="分钟",
            help=f"与 --schedule 同用：运行间隔（分钟，默认 {jobs.EVERY_MINUTES}）",
        )

    def handle(self, *args, **opts):
        if opts["schedule"]:
            return self._schedule(opts)
        with TerminalBar.for_command(self, opts, unit="步") as terminal:
            result = reminders.tick(timezone.localdate(), progress=terminal)
        self._report(result, opts)

    def _schedule(self, opts):
        if not jobs.can_schedule():
            # No worker keeps deferred jobs (LIANGXIN_TASKS=immediate): run once now and say so.
            self.stderr.write(
                "当前任务后端为 immediate，不保存定时任务：本次直接运行一次；"
                "如需定时运行，请使用数据库任务后端和 liangxin db_worker，或用 cron 运行 liangxin dispatch_tick"
            )
            self._report(reminders.tick(timezone.localdate()), opts)
            return
        try:
            scheduled = jobs.schedule_tick(every_minutes=opts["every"])
        except DispatchError as exc:
            raise CommandError(str(exc)) from None
        if opts["json"]:
            data = {
                "scheduled": scheduled.created,
                "id": scheduled.id,
                "run_after": scheduled.run_after.isoformat() if scheduled.run_after else None,
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        when = (
            timezone.localtime(scheduled.run_after).strftime("%Y-%m-%d %H:%M")
            if scheduled.run_after
            else "尽快"
        )
        if scheduled.created:
            self.stdout.write(
                f"已排定月调度定时任务：{when} 起由 liangxin db_worker 运行，之后每 {opts['every']} 分钟一次"
            )
        else:
            self.stdout.write(f"任务队列中已有待运行的月调度定时任务（{when}），未重复排定")

    def _report(self, result, opts):
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        if result["period"] is None and result["draft_plan"]:
            carried = f"，本次由上年度结转 {result['carried']} 项任务" if result["carried"] else ""
            self.stdout.write(
                f"{result['draft_plan']}年重点任务清单为草稿{carried}；"
                "工委办公室在“重点任务”页确认清单后即打开本月调度期"
            )
        elif result["period"] is None:
            self.stdout.write("本年度尚无重点任务清单，未打开调度期")
        else:
            opened = "（新打开）" if result["opened"] else ""
            self.stdout.write(
                f"调度期 {result['period']}{opened}：新生成提醒 {result['queued']} 条，本次发送 {result['sent']} 条"
            )
