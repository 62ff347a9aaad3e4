"""Every setting is read once, typed, in settings.py: no module keeps a default of its own."""

import ast
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

SRC = Path(__file__).parents[2] / "src" / "liangxin"
SETTINGS = SRC / "settings.py"
# The typed readers settings.py defines (env, envint, envbool, envlist, envpairs, …).
HELPERS = {
    node.name
    for node in ast.parse(SETTINGS.read_text(encoding="utf-8")).body
    if isinstance(node, ast.FunctionDef) and node.name.startswith("env")
}


def _sources():
    for path in sorted(SRC.rglob("*.py")):
        if path != SETTINGS and "migrations" not in path.parts:
            yield path, path.read_text(encoding="utf-8")


def _helper_calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in HELPERS:
            yield node


def test_no_module_reads_a_setting_with_a_default_of_its_own():
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path, text in _sources()
        for number, line in enumerate(text.splitlines(), 1)
        if re.search(r"getattr\(\s*settings\b", line)
    ]
    assert offenders == []


def test_every_setting_the_code_reads_is_defined_in_settings_py():
    used = {name for _, text in _sources() for name in re.findall(r"\bsettings\.(LIANGXIN_\w+)", text)}
    missing = sorted(name for name in used if not hasattr(settings, name))
    assert used and missing == []


def test_each_setting_has_one_typed_definition():
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    assigned = Counter(
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and target.id.isupper()
    )
    assert [name for name, count in assigned.items() if count > 1] == []
    # Each environment variable is read by one typed helper call, in one place.
    variables = Counter(
        call.args[0].value
        for call in _helper_calls(tree)
        if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
    )
    assert [name for name, count in variables.items() if count > 1] == []
    # The typed helpers give the code what it expects.
    for name, kind in {
        "LIANGXIN_UPLOAD_MAX_MB": int,
        "LIANGXIN_FOLLOWUP_DAYS": int,
        "LIANGXIN_INCLUDE_COOPERATIVES": bool,
        "LIANGXIN_UNIT_ALIASES": dict,
        "LIANGXIN_OTP_REQUIRED_ROLES": list,
        "LIANGXIN_BULLETIN_OFFICE": str,
        "LIANGXIN_WORKERS": int,
        "LIANGXIN_TIMEOUT_SECONDS": int,
    }.items():
        assert isinstance(getattr(settings, name), kind), name


def test_every_liangxin_setting_is_read_through_a_typed_helper():
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    untyped = []
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        names = [t.id for t in node.targets if isinstance(t, ast.Name) and t.id.startswith("LIANGXIN_")]
        if not names or isinstance(node.value, ast.Dict):  # a fixed table (the CSP)
            continue
        if not any(True for _ in _helper_calls(node.value)):
            untyped.extend(names)
    assert untyped == []


def test_assessment_weights_set_before_the_ledger_weight_existed_keep_their_meaning(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from liangxin.settings import envints

    def weights(value: str) -> tuple[int, ...]:
        monkeypatch.setenv("LIANGXIN_ASSESSMENT_WEIGHTS", value)
        return envints("LIANGXIN_ASSESSMENT_WEIGHTS", "50,20,15,15", count=4, earlier=3)

    assert weights("60,25,15") == (60, 25, 15, 0)
    assert weights("40,20,20,20") == (40, 20, 20, 20)
    for wrong in ("60,40", "1,2,3,4,5", "60,25,x", "60,-5,15,30"):
        with pytest.raises(ImproperlyConfigured, match="应为 4 个以逗号分隔的非负整数"):
            weights(wrong)
