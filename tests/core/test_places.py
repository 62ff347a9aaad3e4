"""A place written as a person writes it: codes, names, a village under its township."""

import pytest

from liangxin.core.models import Region
from liangxin.core.places import PlaceError, find_place, place_key


def test_a_village_is_found_by_its_12_digit_code(city):
    assert find_place("360802001001").name == "桃树下居委会"


def test_a_12_digit_township_code_ending_in_000_is_the_township(city):
    assert find_place("360802001000").name == "古南街道"


def test_a_village_is_found_by_name_with_or_without_its_committee_suffix(city):
    assert find_place("桃树下居委会").code == "360802001001"
    assert find_place("桃树下社区").code == "360802001001"


def test_a_name_two_villages_share_asks_for_the_township(city):
    with pytest.raises(PlaceError) as caught:
        find_place("城溪村")
    assert "360824104206" in str(caught.value) and "360827101202" in str(caught.value)
    assert find_place("雩田镇 城溪村").code == "360827101202"
    assert find_place("麦㙦镇城溪村委会").code == "360824104206"
    assert find_place("新干县麦㙦镇城溪村").code == "360824104206"


def test_within_a_township_the_name_alone_is_enough(city):
    township = Region.objects.get(code="360827101")
    assert find_place("城溪村", within=township).code == "360827101202"


def test_a_code_outside_the_city_or_of_the_wrong_level_is_refused_with_a_reason(city):
    with pytest.raises(PlaceError, match="不是吉安市的"):
        find_place("110101001001")
    with pytest.raises(PlaceError, match="村（社区）"):
        find_place("360802", levels=["village"])


def test_an_unknown_name_says_how_to_write_it(city):
    with pytest.raises(PlaceError, match="乡镇（街道）名称 村（社区）名称"):
        find_place("不存在村")


def test_place_key_drops_the_committee_suffix():
    assert place_key("横塘村民委员会") == place_key("横塘村") == "横塘"
