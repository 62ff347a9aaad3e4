import os
import subprocess
import sys
from pathlib import Path

import pytest

from liangxin.core.models import Industry, Installation, MemberUnit, Region
from liangxin.core.services import SetupError, setup_installation

LIANGXIN = str(Path(sys.executable).with_name("liangxin"))


def test_it_loads_jian_with_its_13_counties_and_their_townships(city):
    assert city.name == "吉安市" and city.code == "360800"
    counties = Region.objects.filter(parent=city)
    assert counties.count() == 13
    gunan = Region.objects.get(code="360802001")
    assert gunan.name == "古南街道"
    assert gunan.parent.code == "360802" and gunan.parent.name == "吉州区"
    assert (gunan.province_code, gunan.city_code, gunan.county_code, gunan.township_code) == (
        "360000",
        "360800",
        "360802",
        "360802001",
    )
    assert Region.objects.filter(county_code="360802", level="township").count() > 5


def test_a_second_run_changes_nothing(city):
    before = Region.objects.count(), MemberUnit.objects.count(), Industry.objects.count()
    _, report = setup_installation("360800")
    assert not report.changed
    assert (Region.objects.count(), MemberUnit.objects.count(), Industry.objects.count()) == before


def test_it_creates_the_committee_from_the_speech_and_each_countys_organization_department(city):
    names = set(MemberUnit.objects.values_list("name", flat=True))
    for name in [
        "市场监管局",
        "民政局",
        "交通运输局",
        "邮政管理局",
        "司法局",
        "财政局",
        "税务局",
        "工商联",
        "商务局",
        "工信局",
        "科技局",
        "网信办",
        "吉州区委组织部",
        "井冈山市委组织部",
    ]:
        assert name in names
    postal = MemberUnit.objects.get(name="邮政管理局")
    assert list(postal.industries.values_list("code", flat=True)) == ["60"]
    assert "快递" in postal.tags


def test_it_ships_the_industry_sections_and_divisions(db):
    assert Industry.objects.filter(code="C").get().name == "制造业"
    assert Industry.objects.filter(code__regex=r"^[A-T]$").count() == 20
    assert Industry.objects.filter(code__regex=r"^[0-9]{2}$").count() == 97


def test_an_unknown_city_code_is_refused_in_chinese(city):
    with pytest.raises(SetupError, match="未找到城市代码 999900"):
        setup_installation("999900")
    with pytest.raises(SetupError, match="不是地级市"):
        setup_installation("360802")


def test_it_refuses_to_switch_an_installation_to_another_city(city):
    with pytest.raises(SetupError, match="已为吉安市"):
        setup_installation("360100")
    assert Installation.current_city() == city


def test_it_loads_any_other_city_the_same_way(db):
    # A fresh installation table: pretend this database serves 南昌市.
    Installation.objects.all().delete()
    nanchang, report = setup_installation("360100")
    assert nanchang.name == "南昌市"
    assert report.created["行政区划"] > 0
    assert (
        Region.objects.filter(parent=nanchang).count()
        == Region.objects.filter(level="county", city_code="360100").count()
        > 5
    )


# --- The real command line, as an installer runs it ------------------------------------------


def run_cli(*args, env_extra=None, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update({"LIANGXIN_VAR_DIR": str(tmp_path / "var")}, **(env_extra or {}))
    # The command-line tests use their own SQLite file whatever database the suite runs on.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env.update(env_extra or {})
    return subprocess.run(
        [LIANGXIN, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_the_setup_command_creates_the_city_and_a_second_run_reports_nothing_changed(tmp_path):
    assert run_cli("migrate", "-v", "0", tmp_path=tmp_path).returncode == 0
    first = run_cli("setup", "--city", "360800", tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "吉安市" in first.stdout and "13 个县" in first.stdout
    assert "村（社区）：新增 2967，更新 0" in first.stdout
    second = run_cli("setup", "--city", "360800", tmp_path=tmp_path)
    assert second.returncode == 0
    assert "没有变化" in second.stdout
    unknown = run_cli("setup", "--city", "999900", tmp_path=tmp_path)
    assert unknown.returncode != 0
    assert "未找到城市代码 999900" in unknown.stderr
    assert "Traceback" not in unknown.stderr


@pytest.mark.parametrize("url", ["mysqll://x/y", "postgres://", "not a url"])
def test_a_malformed_database_url_is_one_chinese_sentence_and_a_non_zero_exit(tmp_path, url):
    result = run_cli("check", env_extra={"DATABASE_URL": url}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "配置错误" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_chinese_sentence_and_a_non_zero_exit(tmp_path):
    result = run_cli(
        "migrate", env_extra={"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "无法连接数据库" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_boolean_setting_is_reported_by_name(tmp_path):
    result = run_cli("check", env_extra={"DEBUG": "maybe"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DEBUG" in result.stderr and "Traceback" not in result.stderr


def test_the_secret_key_is_generated_once_into_var_and_kept(tmp_path):
    run_cli("check", tmp_path=tmp_path)
    key_file = tmp_path / "var" / "secret_key"
    key = key_file.read_text()
    assert len(key) > 40 and oct(key_file.stat().st_mode)[-3:] == "600"
    run_cli("check", tmp_path=tmp_path)
    assert key_file.read_text() == key


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_cli(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        env_extra={
            "DEBUG": "0",
            "LIANGXIN_HTTPS": "1",
            "SECRET_KEY": "x" * 20 + "Q7#kd92LmZp0vB4!tR8sYw1eXc6nHj3uAq5",
            "ALLOWED_HOSTS": "dj.example.gov.cn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_loads_the_2967_villages_and_communities_of_jian_under_their_townships(city):
    villages = Region.objects.filter(city_code="360800", level="village")
    assert villages.count() == 2967
    village = Region.objects.get(code="360802001001")
    assert village.name == "桃树下居委会"
    assert village.parent.code == "360802001"
    assert (village.county_code, village.township_code) == ("360802", "360802001")
    assert not village.key_village
