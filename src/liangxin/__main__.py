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

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
