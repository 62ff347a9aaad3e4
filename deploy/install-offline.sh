#!/usr/bin/env bash
# Install liangxin from this bundle on a server without network access.
#   ./install.sh [VENV]            (default /opt/liangxin/venv; needs python3.11 with venv)
# Only the wheels in ./wheels are used: no package index, no pip configuration of the server.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${1:-/opt/liangxin/venv}
PYTHON=${PYTHON:-python3.11}

command -v "$PYTHON" >/dev/null || { echo "找不到 $PYTHON：请先安装 Python 3.11（Debian 12：apt install python3 python3-venv）" >&2; exit 1; }
(cd "$HERE/wheels" && sha256sum --check --quiet ../SHA256SUMS) || { echo "安装包中的文件校验失败（SHA256SUMS），请重新拷贝安装包" >&2; exit 1; }

unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS PIP_CONSTRAINT PIP_REQUIREMENT
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1

"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --no-index --find-links "$HERE/wheels" liangxin
"$VENV/bin/liangxin" check
echo "已安装到 $VENV。下一步见 README.md “Production”（deploy/ 中有 systemd 和 nginx 配置）。"
