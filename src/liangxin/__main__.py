"""The `liangxin` console script: Django's manage.py with the settings preset."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        # Load the settings up front so a bad environment variable is reported as one
        # sentence, not as a traceback from deep inside Django.
        import importlib

        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except ImproperlyConfigured as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        sys.exit(2)

    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        from liangxin.core.middleware import is_busy

        if is_busy(exc):
            print("系统繁忙，请稍后重试：数据库一直被其他操作占用，本次操作未完成。", file=sys.stderr)
            sys.exit(2)
        print(f"无法连接数据库或数据库出错：{exc}".strip(), file=sys.stderr)
        print("请检查 DATABASE_URL、数据库服务是否启动，以及是否已运行 liangxin migrate。", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
