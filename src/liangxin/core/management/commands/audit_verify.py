from django.core.management.base import BaseCommand, CommandError

from liangxin.core.auditchain import reseal, verify
from liangxin.core.import_progress import TerminalBar


class Command(BaseCommand):
    help = "校验审计日志的 SM3 哈希链：完整时退出码 0；发现被修改或删除的记录时指出第一条并以退出码 1 结束。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--reseal",
            action="store_true",
            help="有意更换 SECRET_KEY 之后：哈希链本身校验通过时，用新密钥重新封签链尾（记入审计日志）",
        )

    def handle(self, *args, **opts):
        if opts["reseal"]:
            result = reseal()
        else:
            # In a terminal: a bar of the records checked (none into a file or a pipe); a broken
            # chain ends the bar where the walk stopped, the message on its own line.
            with TerminalBar.for_command(self, unit="条") as terminal:
                result = verify(progress=terminal)
                if not result.ok:
                    terminal.stop()
        if not result.ok:
            raise CommandError(result.message())
        self.stdout.write(("已重新封签。" if opts["reseal"] else "") + result.message())
