"""`liangxin restore FILE`: replace the database, uploaded files and secret key by a backup's."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liangxin.core import backup
from liangxin.core.auditchain import verify
from liangxin.core.import_progress import BYTES, TerminalBar


class Command(BaseCommand):
    help = (
        "从 liangxin backup 生成的备份恢复数据库、上传文件和密钥文件（覆盖现有数据）。"
        "先校验整个备份（清单与每个成员的 sha256），有任何问题则不做任何恢复。"
        "恢复前请停止 Web 服务和后台任务进程。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件")
        parser.add_argument("--yes", action="store_true", help="不询问，直接覆盖现有数据")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not opts["yes"]:
            answer = input(f"将用 {path.name} 覆盖当前的数据库和上传文件，输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未做任何恢复")
        try:
            with TerminalBar.for_command(self, unit=BYTES) as terminal:
                summary = backup.restore(path, progress=terminal)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"已从 {path} 恢复：数据库（{summary.engine}）、{summary.files} 个上传文件、"
            f"审计日志 {summary.audit_records} 条"
        )
        for note in summary.notes:
            self.stdout.write(note)
        result = verify()
        if not result.ok:
            raise CommandError(f"恢复完成，但{result.message()}")
        self.stdout.write(result.message())
        self.stdout.write("如果备份来自较早的版本，请接着运行 liangxin migrate")
