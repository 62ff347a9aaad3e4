# 两新组织党建工作调度平台 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LX := $(BIN)/liangxin
CITY ?= 360800
PG_URL ?= postgres://postgres@127.0.0.1:5432/liangxin_ci_$$$$

.PHONY: install run test lint check test-sqlite test-postgres test-e2e browser office bench bundle clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(LX) migrate --noinput -v 0
	@if [ ! -f var/.demo-loaded ]; then \
		$(LX) setup --city $(CITY) && $(LX) demo && touch var/.demo-loaded; \
	else $(LX) demo --logins; fi
	$(LX) collectstatic --noinput -v 0
	$(LX) dispatch_tick --schedule
	@echo "打开 http://127.0.0.1:8000 ，用上面的演示账号登录。按 Ctrl+C 停止。"
	@# The task worker (imports, reminders) runs beside the web server and stops with it.
	$(LX) db_worker --reload >var/worker.log 2>&1 & worker=$$!; \
		trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
		$(LX) runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

check: install
	$(LX) check
	$(LX) makemigrations --check --dry-run

# LibreOffice turns the bulletin into PDF in the tests (they skip, saying why, without it), with
# free stand-ins for the 公文 fonts (documents/fonts/fonts.conf): 仿宋 → AR PL UMing, 楷体 → AR PL
# UKai, 黑体 → Noto Sans CJK SC, 小标宋 → Noto Serif CJK SC Bold.
OFFICE_PACKAGES := libreoffice-writer-nogui poppler-utils fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming
office:
	@if command -v soffice >/dev/null && command -v pdftoppm >/dev/null \
		&& fc-list | grep -q "AR PL UKai" && fc-list | grep -q "AR PL UMing" && fc-list | grep -q "Noto Serif CJK SC"; then :; \
	elif ! command -v apt-get >/dev/null; then \
		echo "没有 apt-get：请自行安装 $(OFFICE_PACKAGES)，否则通报 PDF 测试将跳过"; \
	else \
		echo "安装 LibreOffice 和公文替代字体（通报 PDF 测试需要）"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OFFICE_PACKAGES) >/dev/null \
		|| echo "LibreOffice 或字体安装失败：通报 PDF 测试将跳过"; \
	fi

test-sqlite: install office
	$(BIN)/pytest -m "not e2e and not bundle" -q

# The same suite on PostgreSQL whenever 127.0.0.1:5432 answers (pytest-django creates and
# drops a throwaway test database).
test-postgres: install
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		echo "== PostgreSQL ==" && DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not e2e and not bundle" -q -p no:cacheprovider; \
	else echo "PostgreSQL 127.0.0.1:5432 无响应，跳过 PostgreSQL 测试"; fi

browser:
	@command -v chromium >/dev/null || { \
		echo "安装 Debian chromium（浏览器测试需要）"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

test-e2e: install browser
	$(BIN)/pytest -m e2e -q -p no:cacheprovider

test: lint check test-sqlite test-postgres test-e2e

$(VENV)/.bench-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

# The offline bundle's install test takes over 2 minutes here (building ~35 wheels, installing
# them into a fresh environment), so it runs with the benchmarks, not in `make test`.
bench: install $(VENV)/.bench-installed
	$(BIN)/pytest -m bundle -q -p no:cacheprovider tests/production/test_bundle.py
	$(BIN)/python bench/run.py $(BENCH)

# The offline bundle for an intranet server (README “Production”): dist/liangxin-*-offline-*.tar.gz
bundle: install
	deploy/build-bundle.sh $(BIN)/python dist

clean:
	rm -rf $(VENV) var build dist *.egg-info
