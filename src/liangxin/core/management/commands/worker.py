"""`liangxin worker`: the task worker (imports, reminders, the dispatch tick, the cockpit's
warm-up). The same command as `liangxin db_worker`, which keeps working."""

from liangxin.core.management.commands import db_worker


class Command(db_worker.Command):
    help = "运行后台任务进程（同 liangxin db_worker）"
