from django.core.management.base import BaseCommand, CommandError

from liangxin.core.auditchain import verify


class Command(BaseCommand):
    help = "校验审计日志的 SM3 哈希链：完整时退出码 0；发现被修改或删除的记录时指出第一条并以退出码 1 结束。"

    def handle(self, *args, **opts):
        result = verify()
        if not result.ok:
            raise CommandError(result.message())
        self.stdout.write(result.message())
