from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liangxin.core.auditchain import ArchiveRefused, archive, retention_days


class Command(BaseCommand):
    help = (
        "把超过保留期（至少 180 天，LIANGXIN_AUDIT_RETENTION_DAYS）的审计记录导出到 JSON Lines 文件后从数据库删除；"
        "只有哈希链校验通过时才执行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="归档文件（.jsonl，不能已存在）")
        parser.add_argument("--days", type=int, default=None, help="归档多少天以前的记录（默认为保留期）")

    def handle(self, *args, **opts):
        days = opts["days"] if opts["days"] is not None else retention_days()
        try:
            count = archive(Path(opts["output"]), days=days)
        except ArchiveRefused as exc:
            raise CommandError(exc.message) from None
        if count:
            self.stdout.write(
                f"已归档 {count} 条 {days} 天以前的审计记录到 {opts['output']}，并从数据库中删除"
            )
        else:
            self.stdout.write(f"没有 {days} 天以前的审计记录需要归档")
