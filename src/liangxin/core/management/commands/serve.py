"""`liangxin serve`: the production web server (gunicorn, sync workers) with the settings'
binding, worker count and timeouts. Static files are served by WhiteNoise inside the
application (collected into STATIC_ROOT by `liangxin collectstatic`); nginx sits in front
(deploy/nginx-liangxin.conf)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def gunicorn_options(bind: str | None = None, workers: int | None = None) -> dict:
    """gunicorn's configuration, from settings.py (the only place with defaults)."""
    return {
        "bind": bind or settings.LIANGXIN_BIND,
        "workers": workers or settings.LIANGXIN_WORKERS,
        "threads": settings.LIANGXIN_THREADS,
        "worker_class": "gthread" if settings.LIANGXIN_THREADS > 1 else "sync",
        "timeout": settings.LIANGXIN_TIMEOUT_SECONDS,
        "graceful_timeout": settings.LIANGXIN_GRACEFUL_TIMEOUT_SECONDS,
        "max_requests": settings.LIANGXIN_MAX_REQUESTS,
        "max_requests_jitter": settings.LIANGXIN_MAX_REQUESTS // 10,
        "accesslog": settings.LIANGXIN_ACCESS_LOG or None,
        "errorlog": "-",
        "proc_name": "liangxin",
        # The application is loaded in the master and shared by the forked workers (less
        # memory, a bad configuration fails once, before any worker starts).
        "preload_app": True,
        "forwarded_allow_ips": "127.0.0.1,::1",
    }


def warmed_application():
    """The WSGI application with what every worker would otherwise load on its first request
    done once in the master before the fork (preload_app): the URLconf, which imports every
    app's views (~0.4 s of CPU per worker measured here, again whenever max-requests replaces
    a worker), and the base template. No database connection survives into the fork."""
    from django.core.wsgi import get_wsgi_application
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver

    application = get_wsgi_application()
    get_resolver().url_patterns  # noqa: B018 (the import is the point)
    get_template("base.html")
    connections.close_all()
    return application


class Command(BaseCommand):
    help = "启动生产环境 Web 服务（gunicorn）；监听地址、进程数、超时取自环境变量 LIANGXIN_BIND 等"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--bind", help="监听地址，默认取 LIANGXIN_BIND（127.0.0.1:8001）")
        parser.add_argument("--workers", type=int, help="工作进程数，默认取 LIANGXIN_WORKERS")

    def handle(self, *args, **options):
        from gunicorn.app.base import BaseApplication

        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError("--workers 应为正整数")
        config = gunicorn_options(options["bind"], options["workers"])

        class Application(BaseApplication):
            def load_config(self):
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self):
                return warmed_application()

        if options["verbosity"]:
            self.stdout.write(f"liangxin：在 {config['bind']} 上启动 {config['workers']} 个工作进程")
            self.stdout.flush()
        Application().run()
