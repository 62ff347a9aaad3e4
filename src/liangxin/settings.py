"""Settings for liangxin: one module, every knob an environment variable.

A bad value stops start-up with a Chinese sentence naming the variable (see `__main__`).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    value = env(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"环境变量 {name} 的值“{value}”无法识别，请填写 1 或 0")


def envint(name: str, default: str) -> int:
    value = env(name, default).strip()
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name} 应为整数，实际为“{value}”") from None


def envints(name: str, default: str, *, count: int, earlier: int | None = None) -> tuple[int, ...]:
    """`count` non-negative integers separated by commas (`60,25,15`). `earlier`: how many the
    setting took before its last items were added — an installation that still sets that many
    keeps working, the added items 0 (the meaning it had)."""
    items = env(name, default).split(",")
    try:
        values = tuple(int(item.strip()) for item in items)
    except ValueError:
        values = ()
    if earlier is not None and len(values) == earlier:
        values += (0,) * (count - earlier)
    if len(values) != count or min(values) < 0:
        raise ImproperlyConfigured(
            f"环境变量 {name} 应为 {count} 个以逗号分隔的非负整数，实际为“{env(name, default)}”"
        )
    return values


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def envint_list(name: str, default: str) -> list[int]:
    items = envlist(name, default)
    if not all(item.isdigit() and int(item) > 0 for item in items):
        raise ImproperlyConfigured(
            f"环境变量 {name} 应为逗号分隔的正整数，如 6,12，实际为“{env(name, default)}”"
        )
    return [int(item) for item in items]


def envjson_object(name: str, default: str) -> dict:
    """A JSON object (a request body template)."""
    import json

    try:
        value = json.loads(env(name, default))
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"环境变量 {name} 应为一个 JSON 对象，例如 {default}")
    return value


def envhours(name: str, default: str) -> tuple[str, str] | None:
    """A daily span of local time, `22:00-07:00` (may pass midnight); empty: None."""
    value = env(name, default).strip()
    if not value:
        return None
    start, _, end = value.partition("-")
    parts = [start.strip(), end.strip()]
    for part in parts:
        hours, _, minutes = part.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ImproperlyConfigured(f"环境变量 {name} 应写成“22:00-07:00”的形式，实际为“{value}”")
    return parts[0], parts[1]


def envpairs(name: str, default: str) -> dict[str, str]:
    """`a=b,c=d` → {"a": "b", "c": "d"}."""
    pairs = {}
    for item in envlist(name, default):
        written, sep, meant = item.partition("=")
        if not sep or not written.strip() or not meant.strip():
            raise ImproperlyConfigured(f"环境变量 {name} 中的“{item}”应写成“写法=成员单位全称”")
        pairs[written.strip()] = meant.strip()
    return pairs


# Runtime files (SQLite database, generated secret key, uploads, collected static files).
VAR_DIR = Path(env("LIANGXIN_VAR_DIR", str(Path.cwd() / "var"))).resolve()


# Generated once when SECRET_KEY is not set; `liangxin backup` carries it (signed links and
# sessions stay valid after a restore).
SECRET_KEY_FILE = VAR_DIR / "secret_key"


def _secret_key() -> str:
    configured = env("SECRET_KEY")
    if configured:
        return configured
    key_file = SECRET_KEY_FILE
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", "0")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# Serve over HTTPS in production: secure cookies, HSTS, redirect (passes `check --deploy`).
HTTPS = envbool("LIANGXIN_HTTPS", "0")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if envbool("LIANGXIN_BEHIND_PROXY", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from a <meta> tag, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy: every script, style, image and font is vendored and served from this
# site; no inline script or style, no plug-ins, no framing, forms post only here.
LIANGXIN_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "liangxin.core",  # before django_tasks_db: its `db_worker` command wraps theirs
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "liangxin.accounts",
    "liangxin.registry",
    "liangxin.coverage",
    "liangxin.dispatch",
    "liangxin.documents",
    "liangxin.dashboard",
    "liangxin.pairings",
    "liangxin.workforce",
    "liangxin.committee",
    "ninja",  # its Swagger UI/Redoc assets, served locally (no CDN)
    "liangxin.api",
    "liangxin.brands",
    "liangxin.integration",
    "liangxin.notify",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every dynamic response: Content-Security-Policy and Cache-Control: no-store.
    "liangxin.accounts.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "liangxin.core.middleware.RequestContextMiddleware",
    "liangxin.core.middleware.AuditReadsMiddleware",
    # Order matters: a newer login elsewhere ends this session; then the second factor; then
    # an administrator-set or expired password must be changed.
    "liangxin.accounts.middleware.SessionLimitMiddleware",
    "liangxin.accounts.middleware.SecondFactorMiddleware",
    "liangxin.accounts.middleware.ForcePasswordChangeMiddleware",
    "axes.middleware.AxesMiddleware",
    "liangxin.core.middleware.BusyDatabaseMiddleware",
    "liangxin.core.dbrouting.ReplicaReadsMiddleware",  # inside the session: it notes the user's writes
]

ROOT_URLCONF = "liangxin.urls"
WSGI_APPLICATION = "liangxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "liangxin.core.context_processors.navigation",
                "liangxin.core.help.page_help",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'liangxin.sqlite3'}"
DATABASE_URL = env("DATABASE_URL", DEFAULT_DATABASE_URL)


def _database(url: str) -> dict:
    example = "示例：sqlite:////srv/liangxin/db.sqlite3 或 postgres://用户:密码@主机:5432/库名"
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in ("sqlite", "postgres", "postgresql", "pgsql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL“{url}”无法识别，只支持 sqlite:// 或 postgres:// 开头的地址。{example}"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=envint("LIANGXIN_DB_CONN_MAX_AGE", "60"))
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"DATABASE_URL 格式不正确（{exc}）。{example}") from None
    engine = config.get("ENGINE", "")
    if engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL 指定的数据库类型不受支持（{engine or url}），请使用 sqlite 或 postgres"
        )
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL 缺少数据库名称或文件路径")
    # A kept connection is checked before a request reuses it: one the server ended meanwhile
    # (a restart, pg_terminate_backend) is replaced instead of failing the request.
    config["CONN_HEALTH_CHECKS"] = envbool("LIANGXIN_DB_HEALTH_CHECKS", "1")
    if engine == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        if config["NAME"] != ":memory:":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # One writer at a time: a write waits up to LIANGXIN_SQLITE_BUSY_SECONDS for another's
        # transaction to end (an import's is short: it only merges what it staged), then the
        # page says 系统繁忙，请稍后重试 (core.middleware.BusyDatabaseMiddleware).
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": envint("LIANGXIN_SQLITE_BUSY_SECONDS", "20"),
        }
    return config


DATABASES = {"default": _database(DATABASE_URL)}
# A PostgreSQL streaming replica for the cockpit and the big lists (core/dbrouting.py; README
# “Read replica”): those views (url names or namespaces) read there, unless their user changed
# something in the last LIANGXIN_REPLICA_STICKY_SECONDS (read-your-writes).
LIANGXIN_REPLICA_URL = env("LIANGXIN_REPLICA_URL")
LIANGXIN_REPLICA_VIEWS = envlist(
    "LIANGXIN_REPLICA_VIEWS",
    "dashboard,coverage:index,coverage:table,coverage:organizations,registry:organizations,"
    "registry:organization_export,dispatch:board,dispatch:board_export,dispatch:tasks",
)
LIANGXIN_REPLICA_STICKY_SECONDS = envint("LIANGXIN_REPLICA_STICKY_SECONDS", "30")
DATABASE_ROUTERS = ["liangxin.core.dbrouting.ReplicaRouter"]
if LIANGXIN_REPLICA_URL:
    if DATABASES["default"][
        "ENGINE"
    ] != "django.db.backends.postgresql" or not LIANGXIN_REPLICA_URL.startswith(
        ("postgres://", "postgresql://")
    ):
        raise ImproperlyConfigured(
            "LIANGXIN_REPLICA_URL 只用于 PostgreSQL：主库和只读副本都应为 postgres:// 地址"
        )
    DATABASES["replica"] = _database(LIANGXIN_REPLICA_URL) | {"TEST": {"MIRROR": "default"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time: keep sessions (written on every request, for the idle
    # timeout) out of it, so pages stay responsive while an import holds the write lock.
    SESSION_ENGINE = "django.contrib.sessions.backends.file"
    SESSION_FILE_PATH = str(VAR_DIR / "sessions")
    Path(SESSION_FILE_PATH).mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Computed figures (the cockpit's coverage tables) are cached in files shared by the web
# processes and the task worker, which computes them right after the data changes.
CACHE_DIR = Path(env("LIANGXIN_CACHE_DIR", str(VAR_DIR / "cache"))).resolve()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CACHE_DIR),
        "OPTIONS": {"MAX_ENTRIES": 1000},
    }
}

# --- Accounts and login security (等保2.0 三级) ---------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id at OWASP's recommended parameters (accounts/hashers.py says why); older hashes are
# verified and upgraded at the next login.
PASSWORD_HASHERS = [
    "liangxin.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("LIANGXIN_PASSWORD_MIN_LENGTH", "10")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "liangxin.accounts.validators.ComplexityValidator"},
    {"NAME": "liangxin.accounts.validators.PatternValidator"},
    {"NAME": "liangxin.accounts.validators.HistoryValidator"},
]
# No reuse of the last N passwords; a password expires after N days (等保; 0 = never — OWASP
# ASVS 2.1.10 advises against forced rotation, README “Security”).
LIANGXIN_PASSWORD_HISTORY = envint("LIANGXIN_PASSWORD_HISTORY", "5")
LIANGXIN_PASSWORD_MAX_AGE_DAYS = envint("LIANGXIN_PASSWORD_MAX_AGE_DAYS", "90")
# Lock a username *from one address* for 30 minutes after 5 failures: someone guessing from
# elsewhere cannot lock the office out (the security administrator unlocks, 登录锁定).
AXES_FAILURE_LIMIT = envint("LIANGXIN_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("LIANGXIN_LOCKOUT_MINUTES", "30") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Second factor (TOTP, django-otp): compulsory for these roles, optional (once enrolled,
# required) for the others. Recovery codes: LIANGXIN_OTP_RECOVERY_CODES, each usable once.
LIANGXIN_OTP_REQUIRED_ROLES = envlist("LIANGXIN_OTP_REQUIRED_ROLES", "sysadmin,secadmin,auditadmin,office")
LIANGXIN_OTP_RECOVERY_CODES = envint("LIANGXIN_OTP_RECOVERY_CODES", "10")
OTP_TOTP_ISSUER = env("LIANGXIN_OTP_ISSUER", "两新组织党建工作调度平台")
# Concurrent sessions per account: a new login ends the oldest beyond the limit (0 = no limit).
LIANGXIN_MAX_SESSIONS_ADMIN = envint("LIANGXIN_MAX_SESSIONS_ADMIN", "1")
LIANGXIN_MAX_SESSIONS = envint("LIANGXIN_MAX_SESSIONS", "0")
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Idle timeout: the session expires 30 minutes after the last request.
SESSION_COOKIE_AGE = envint("LIANGXIN_SESSION_IDLE_MINUTES", "30") * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files (vendored; served by WhiteNoise, no CDN) -------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env("LIANGXIN_STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("LIANGXIN_MEDIA_ROOT", str(VAR_DIR / "media")))
WHITENOISE_USE_FINDERS = DEBUG

# --- Background work (DEP 14 tasks through django-tasks) ------------------------------------
# "database": jobs wait in the database for `liangxin db_worker` (production, `make run`);
# "immediate": jobs run inside the request (tests, or a site without a worker).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = env("LIANGXIN_TASKS", "database")
if _task_backend not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"环境变量 LIANGXIN_TASKS 应为 database 或 immediate，实际为“{_task_backend}”")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[_task_backend]}}

# --- Serving (`liangxin serve`: gunicorn behind nginx; `liangxin worker`) ----------------------
# Where gunicorn listens (nginx proxies to it), how many worker processes (each a Python process
# of ~80 MB; 2 × cores + 1 is gunicorn's rule of thumb), and how long a request may take before
# its worker is killed and replaced (a large export or a preview may take a minute).
LIANGXIN_BIND = env("LIANGXIN_BIND", "127.0.0.1:8001")
LIANGXIN_WORKERS = envint("LIANGXIN_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
LIANGXIN_THREADS = envint("LIANGXIN_THREADS", "1")
LIANGXIN_TIMEOUT_SECONDS = envint("LIANGXIN_TIMEOUT_SECONDS", "120")
LIANGXIN_GRACEFUL_TIMEOUT_SECONDS = envint("LIANGXIN_GRACEFUL_TIMEOUT_SECONDS", "30")
# A worker is replaced after this many requests (0 = never): bounds slow memory growth.
LIANGXIN_MAX_REQUESTS = envint("LIANGXIN_MAX_REQUESTS", "2000")
LIANGXIN_ACCESS_LOG = env("LIANGXIN_ACCESS_LOG", "-")  # "-": standard output (journald); "" = none
for _name, _value in (
    ("LIANGXIN_WORKERS", LIANGXIN_WORKERS),
    ("LIANGXIN_THREADS", LIANGXIN_THREADS),
    ("LIANGXIN_TIMEOUT_SECONDS", LIANGXIN_TIMEOUT_SECONDS),
):
    if _value < 1:
        raise ImproperlyConfigured(f"环境变量 {_name} 应为正整数，实际为“{_value}”")

# --- Uploads ----------------------------------------------------------------------------------
LIANGXIN_UPLOAD_MAX_MB = envint("LIANGXIN_UPLOAD_MAX_MB", "50")
# A sheet larger than this is refused before it is read (core.tabular.limits): rows, columns,
# and cells from A1 to the farthest one (about 100 bytes each while reading).
LIANGXIN_IMPORT_MAX_ROWS = envint("LIANGXIN_IMPORT_MAX_ROWS", "1048576")
LIANGXIN_IMPORT_MAX_COLUMNS = envint("LIANGXIN_IMPORT_MAX_COLUMNS", "200")
LIANGXIN_IMPORT_MAX_CELLS = envint("LIANGXIN_IMPORT_MAX_CELLS", "4000000")
# Coverage rules and blind-spot limits (domain.md §4; the issue's defaults).
LIANGXIN_SINGLE_BRANCH_MIN_MEMBERS = envint("LIANGXIN_SINGLE_BRANCH_MIN_MEMBERS", "3")
LIANGXIN_SANYOU_ENTERPRISE_EMPLOYEES = envint("LIANGXIN_SANYOU_ENTERPRISE_EMPLOYEES", "10")
LIANGXIN_SANYOU_SOCIAL_STAFF = envint("LIANGXIN_SANYOU_SOCIAL_STAFF", "30")
LIANGXIN_INSTRUCTOR_MAX_ORGS = envint("LIANGXIN_INSTRUCTOR_MAX_ORGS", "10")
LIANGXIN_JOINT_MAX_ORGS = envint("LIANGXIN_JOINT_MAX_ORGS", "5")
LIANGXIN_JOINT_MAX_MEMBERS = envint("LIANGXIN_JOINT_MAX_MEMBERS", "50")
# 有效覆盖 (coverage/health.py, visits.py): a joint branch not inspected for this many days is
# flagged; an instructor's assignment counts as effective work only with a visit this recent.
LIANGXIN_INSPECTION_INTERVAL_DAYS = envint("LIANGXIN_INSPECTION_INTERVAL_DAYS", "90")
LIANGXIN_VISIT_PERIOD_DAYS = envint("LIANGXIN_VISIT_PERIOD_DAYS", "90")
# 行业(综合)党委 verdict (committee/verdict.py): org rate reached or risen, activities per year,
# share of poor inspections, criteria met for 发挥作用明显 / 一般.
LIANGXIN_COMMITTEE_ORG_RATE = envint("LIANGXIN_COMMITTEE_ORG_RATE", "60")  # percent
LIANGXIN_COMMITTEE_RATE_RISE = envint("LIANGXIN_COMMITTEE_RATE_RISE", "5")  # points over a year
LIANGXIN_COMMITTEE_ACTIVITIES = envint("LIANGXIN_COMMITTEE_ACTIVITIES", "4")  # per year, pro rata
LIANGXIN_COMMITTEE_POOR_SHARE = envint("LIANGXIN_COMMITTEE_POOR_SHARE", "20")  # percent of inspections
LIANGXIN_COMMITTEE_STRONG = envint("LIANGXIN_COMMITTEE_STRONG", "4")  # criteria met: 发挥作用明显
LIANGXIN_COMMITTEE_FAIR = envint("LIANGXIN_COMMITTEE_FAIR", "2")  # criteria met: 一般
LIANGXIN_IMPORT_KEEP_DAYS = envint("LIANGXIN_IMPORT_KEEP_DAYS", "7")  # unconfirmed uploads are then deleted
# An import started while another is writing waits this long for it, then says so.
LIANGXIN_IMPORT_WAIT_SECONDS = envint("LIANGXIN_IMPORT_WAIT_SECONDS", "300")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- The installation -------------------------------------------------------------------------
# The city is chosen once with `liangxin setup --city CODE` and stored in the database; this
# default is only what `make run` passes.
LIANGXIN_DEFAULT_CITY = env("LIANGXIN_CITY", "360800")
LIANGXIN_PAGE_SIZE = envint("LIANGXIN_PAGE_SIZE", "50")
# 提醒 beyond the browser: every notice is handed to this gateway, a dotted path to `send(notice)`.
# The shipped one (liangxin.notify) relays it to a 政务微信/企业微信 group robot and an SMS gateway,
# each user choosing per channel which notices they get (消息接收设置); "" turns relaying off.
LIANGXIN_NOTIFY_GATEWAY = env("LIANGXIN_NOTIFY_GATEWAY", "liangxin.notify.channels.relay") or None
# The group robot's webhook URL (…/cgi-bin/webhook/send?key=…); empty: no robot messages.
LIANGXIN_NOTIFY_ROBOT_URL = env("LIANGXIN_NOTIFY_ROBOT_URL")
# The SMS gateway: a URL that takes a POSTed JSON body, built from the template below with
# "{mobile}" and "{message}" filled in wherever they appear in its strings; empty: no SMS.
LIANGXIN_NOTIFY_SMS_URL = env("LIANGXIN_NOTIFY_SMS_URL")
LIANGXIN_NOTIFY_SMS_TEMPLATE = envjson_object(
    "LIANGXIN_NOTIFY_SMS_TEMPLATE", '{"mobile": "{mobile}", "content": "【两新组织党建】{message}"}'
)
# Extra request headers for the SMS gateway (its key), as a JSON object: {"X-Api-Key": "…"}.
LIANGXIN_NOTIFY_SMS_HEADERS = envjson_object("LIANGXIN_NOTIFY_SMS_HEADERS", "{}")
# Quiet hours (local time, HH:MM-HH:MM; empty: none): robot and SMS notices wait until they end,
# except the kinds named urgent (by default the office's 催报).
LIANGXIN_NOTIFY_QUIET_HOURS = envhours("LIANGXIN_NOTIFY_QUIET_HOURS", "22:00-07:00")
LIANGXIN_NOTIFY_URGENT_KINDS = envlist("LIANGXIN_NOTIFY_URGENT_KINDS", "chase")
# 年度考核 weights: 月度平均分, 按期完成率, 覆盖提升分, 台账成绩分 (documents/assessment.py publishes the method).
# Three numbers (set before 台账成绩分 existed) still work: 台账成绩分 then weighs 0.
LIANGXIN_ASSESSMENT_WEIGHTS = envints("LIANGXIN_ASSESSMENT_WEIGHTS", "50,20,15,15", count=4, earlier=3)
# The bulletin's .docx template: an office may point this at its own letterhead (README).
LIANGXIN_BULLETIN_TEMPLATE = env("LIANGXIN_BULLETIN_TEMPLATE") or None
# The bulletin's 发文机关 (red 发文机关标志, 署名, 印发机关) unless the office writes another on the
# period's page; empty: “中共××市委党建工作领导小组办公室”.
LIANGXIN_BULLETIN_OFFICE = env("LIANGXIN_BULLETIN_OFFICE", "")
# 三同步: days a new organization's follow-up is due in; whether 农民专业合作社 (code 93) count.
LIANGXIN_FOLLOWUP_DAYS = envint("LIANGXIN_FOLLOWUP_DAYS", "30")
# 品牌回访: months after a brand is named (a new campaign's default; comma-separated), and the
# days a revisit may wait after its date before it is chased as overdue.
LIANGXIN_BRAND_REVISIT_MONTHS = tuple(envint_list("LIANGXIN_BRAND_REVISIT_MONTHS", "6,12"))
LIANGXIN_BRAND_REVISIT_GRACE_DAYS = envint("LIANGXIN_BRAND_REVISIT_GRACE_DAYS", "30")
# 三同步: the gatekeeping unit answerable for a new organization's follow-up, by kind
# (registry.followups.route_open): 市场监管局 registers enterprises, 民政局 social organizations.
LIANGXIN_FOLLOWUP_UNITS = envpairs("LIANGXIN_FOLLOWUP_UNITS", "enterprise=市场监管局,social=民政局")
# Audit records are kept at least this long (180 days at the least); `liangxin audit_archive` exports older ones.
LIANGXIN_AUDIT_RETENTION_DAYS = envint("LIANGXIN_AUDIT_RETENTION_DAYS", "180")
LIANGXIN_INCLUDE_COOPERATIVES = envbool("LIANGXIN_INCLUDE_COOPERATIVES", "0")


# More ways of writing a member unit's name (liangxin.core.unitnames.ALIASES holds the usual
# ones), e.g. LIANGXIN_UNIT_ALIASES="发改委=发展改革委,国资委=国有资产监督管理委员会".
LIANGXIN_UNIT_ALIASES = envpairs("LIANGXIN_UNIT_ALIASES", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}


# 流动哨兵 (liangxin.workforce): a report is due within this many working days (Monday–Friday);
# riders' name and phone are removed this many days after a report is closed (dispatch_tick);
# at most so many reports per station link per minute and per client (address) per hour; a photo
# up to so many MB (re-encoded, at most 1600 px); a category may go to a member unit instead of
# the township, e.g. LIANGXIN_SENTINEL_ROUTES="交通设施=交通运输局".
LIANGXIN_SENTINEL_DUE_WORKING_DAYS = envint("LIANGXIN_SENTINEL_DUE_WORKING_DAYS", "3")
LIANGXIN_SENTINEL_RETENTION_DAYS = envint("LIANGXIN_SENTINEL_RETENTION_DAYS", "365")
LIANGXIN_SENTINEL_LINK_PER_MINUTE = envint("LIANGXIN_SENTINEL_LINK_PER_MINUTE", "10")
LIANGXIN_SENTINEL_CLIENT_PER_HOUR = envint("LIANGXIN_SENTINEL_CLIENT_PER_HOUR", "20")
LIANGXIN_SENTINEL_PHOTO_MAX_MB = envint("LIANGXIN_SENTINEL_PHOTO_MAX_MB", "8")
LIANGXIN_SENTINEL_ROUTES = envpairs("LIANGXIN_SENTINEL_ROUTES", "")
