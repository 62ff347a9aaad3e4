"""Unit names as offices write them (domain.md §8): exact, or through a known way of writing
them; never a unit whose name merely contains the written one."""

import pytest

from liangxin.core.models import MemberUnit, MemberUnitKind
from liangxin.core.unitnames import UnitNames

pytestmark = pytest.mark.django_db


def test_a_name_inside_another_units_name_is_not_that_unit(city):
    # 井冈山市委组织部 contains 市委组织部; with no unit of that name, it is an error, not 井冈山.
    with pytest.raises(ValueError, match="未找到成员单位“市委组织部”"):
        UnitNames().one("市委组织部")
    MemberUnit.objects.create(name="市委组织部", kind=MemberUnitKind.DEPARTMENT, region=city)
    assert UnitNames().one("市委组织部").name == "市委组织部"
    assert UnitNames().one("井冈山市委组织部").name == "井冈山市委组织部"


def test_it_reads_the_city_and_its_prefixes_and_the_aliases(city):
    names = UnitNames()
    assert names.one("市市场监管局").name == "市场监管局"
    assert names.one("吉安市市场监督管理局").name == "市场监管局"
    assert names.one("市委网信办").name == "网信办"
    assert names.one("吉安市民政局").name == "民政局"
    assert names.one(" 市 交通局 ").name == "交通运输局"
    with pytest.raises(ValueError, match="未找到成员单位“监管局”"):
        names.one("监管局")  # a part of a name is not a name
    with pytest.raises(ValueError, match="未找到成员单位“吉州区组织部”"):
        names.one("吉州区组织部")


def test_a_name_two_units_answer_to_is_an_error_naming_both(city):
    MemberUnit.objects.create(name="交通局", kind=MemberUnitKind.DEPARTMENT, region=city)
    names = UnitNames()
    assert names.one("交通局").name == "交通局"  # the exact name wins
    with pytest.raises(ValueError, match="单位“市交通局”可能是“交通局”、“交通运输局”"):
        names.one("市交通局")


def test_the_installation_adds_its_own_aliases(city, settings):
    with pytest.raises(ValueError, match="未找到成员单位“市工信委”"):
        UnitNames().one("市工信委")
    settings.LIANGXIN_UNIT_ALIASES = {"工信委": "工信局"}
    assert UnitNames().one("市工信委").name == "工信局"


def test_a_bad_alias_setting_fails_loudly(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from liangxin.settings import envpairs

    monkeypatch.setenv("LIANGXIN_UNIT_ALIASES", "工信委=工信局,发改委")
    with pytest.raises(ImproperlyConfigured, match="“发改委”应写成“写法=成员单位全称”"):
        envpairs("LIANGXIN_UNIT_ALIASES", "")
    monkeypatch.setenv("LIANGXIN_UNIT_ALIASES", "工信委=工信局, 国资委 = 国资局")
    assert envpairs("LIANGXIN_UNIT_ALIASES", "") == {"工信委": "工信局", "国资委": "国资局"}
