"""`liangxin db_worker`: django-tasks-db's worker, which first marks failed the import jobs a
dead worker left running (killed, or aborted by a file), so that their pages stop waiting."""

from django_tasks_db.management.commands import db_worker

from liangxin.core.jobs import fail_orphaned_jobs


class Command(db_worker.Command):
    help = "运行后台任务进程（导入、提醒等）；启动时把上一个进程意外退出时留下的“处理中”导入任务标记为失败"

    def handle(self, *args, **options):
        marked = fail_orphaned_jobs()
        if marked and options.get("verbosity", 1):
            self.stdout.write(f"已将 {marked} 个因后台进程意外退出而中断的导入任务标记为失败")
        return super().handle(*args, **options)
