#!/usr/bin/env bash
# Build the offline bundle: the project's wheel and a wheel of every dependency, for the server's
# platform (Linux x86-64, CPython 3.11), with the install script, in one archive.
#   deploy/build-bundle.sh [PYTHON] [OUTPUT_DIR]      (make bundle)
set -euo pipefail
PYTHON=${1:-.venv/bin/python}
OUT=${2:-dist}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

# Wheels are built for the machine that builds them: it must be the server's platform.
"$PYTHON" - <<'PY'
import platform, sys
if not (sys.platform == "linux" and platform.machine() == "x86_64" and sys.version_info[:2] == (3, 11)
        and platform.python_implementation() == "CPython"):
    sys.exit(f"离线安装包须在 Linux x86-64、CPython 3.11 上构建（当前：{sys.platform} {platform.machine()} "
             f"{platform.python_implementation()} {sys.version_info[0]}.{sys.version_info[1]}）")
PY

VERSION=$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
NAME="liangxin-${VERSION}-offline-linux-x86_64-cp311"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/$NAME"
mkdir -p "$STAGE/wheels"

# The project's wheel and every runtime dependency's (downloaded as wheels where published,
# built here from source otherwise — all pure Python or manylinux, so they install on Debian).
"$PYTHON" -m pip wheel --quiet --wheel-dir "$STAGE/wheels" "$ROOT"
cp deploy/install-offline.sh "$STAGE/install.sh"
chmod +x "$STAGE/install.sh"
cp -r deploy "$STAGE/deploy"
rm -f "$STAGE/deploy/build-bundle.sh" "$STAGE/deploy/install-offline.sh"
cp README.md "$STAGE/README.md"
(cd "$STAGE/wheels" && sha256sum -- *.whl > ../SHA256SUMS)

mkdir -p "$OUT"
tar -C "$WORK" -czf "$OUT/$NAME.tar.gz" "$NAME"
echo "$OUT/$NAME.tar.gz ($(ls "$STAGE/wheels" | wc -l) wheels)"
