"""`liangxin backup FILE`: the database, uploaded files and secret key in one checked archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liangxin.core import backup
from liangxin.core.import_progress import BYTES, TerminalBar


class Command(BaseCommand):
    help = (
        "备份数据库（含审计日志、已发布通报、上传的模板）、上传文件和密钥文件到一个 .tar.gz 文件，"
        "清单中记录每个成员的 sha256。运行中的系统可以直接备份。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="备份文件名（默认 liangxin-备份-日期时间.tar.gz）")

    def handle(self, *args, **opts):
        target = Path(opts["file"] or backup.default_name())
        try:
            with TerminalBar.for_command(self, unit=BYTES) as terminal:
                summary = backup.backup(target, progress=terminal)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"已备份到 {summary.path}（{summary.size / 1024 / 1024:.1f} MB）：数据库（{summary.engine}）、"
            f"{summary.files} 个上传文件、审计日志 {summary.audit_records} 条"
        )
