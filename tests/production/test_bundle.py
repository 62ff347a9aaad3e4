"""The offline bundle (`make bundle`) installs into a fresh virtual environment with the package
index disabled and no pip configuration, and `liangxin check` passes there. 1 m 45 s to 2 m 25 s
on the shared 2-core machine (building ~35 wheels, then installing them): over the 2 minutes a
test in `make test` may take, so it runs in `make bench` (marker `bundle`)."""

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.bundle

ROOT = Path(__file__).parents[2]


def _offline_environment(var: Path) -> dict:
    """No index, no find-links, no pip configuration: only the bundle's wheels can be used."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "DATABASE_URL", "LIANGXIN_"))}
    env.update(PIP_CONFIG_FILE="/dev/null", PIP_NO_INDEX="1", LIANGXIN_VAR_DIR=str(var))
    return env


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [str(ROOT / "deploy" / "build-bundle.sh"), sys.executable, str(out)],
        cwd=ROOT,
        check=True,
        timeout=600,
    )
    (archive,) = out.glob("liangxin-*-offline-linux-x86_64-cp311.tar.gz")
    unpacked = tmp_path_factory.mktemp("server")
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    (folder,) = unpacked.iterdir()
    return folder


def test_the_bundle_installs_without_an_index_and_liangxin_check_passes(bundle, tmp_path):
    wheels = sorted(p.name for p in (bundle / "wheels").glob("*.whl"))
    assert any(name.startswith("liangxin-") for name in wheels)
    assert any(name.startswith(("django-", "Django-")) for name in wheels)
    assert any(name.startswith("gunicorn-") for name in wheels)
    assert (bundle / "deploy" / "liangxin-web.service").is_file()
    venv = tmp_path / "venv"
    result = subprocess.run(
        [str(bundle / "install.sh"), str(venv)],
        env=_offline_environment(tmp_path / "var"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert (venv / "bin" / "liangxin").exists() and (venv / "bin" / "gunicorn").exists()


def test_a_damaged_wheel_is_refused_before_anything_is_installed(bundle, tmp_path):
    copy = tmp_path / "bundle"
    subprocess.run(["cp", "-r", str(bundle), str(copy)], check=True)
    wheel = next((copy / "wheels").glob("liangxin-*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"x")
    venv = tmp_path / "venv"
    result = subprocess.run(
        [str(copy / "install.sh"), str(venv)],
        env=_offline_environment(tmp_path / "var"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "校验失败" in result.stderr
    assert not venv.exists()
