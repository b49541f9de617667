"""Reading the district (区/县) of a Chinese address, and ordering a day's visits by it."""

from __future__ import annotations

import pytest

from arrears.field.districts import district_of, route_key


@pytest.mark.parametrize(
    ("address", "district"),
    [
        ("北京市海淀区中关村大街27号", "北京市海淀区"),
        ("广东省深圳市南山区科技园科苑路15号", "深圳市南山区"),
        ("浙江省杭州市余杭区五常街道文一西路969号", "杭州市余杭区"),
        ("上海市浦东新区世纪大道100号", "上海市浦东新区"),
        ("江苏省苏州市昆山市前进中路88号", "苏州市昆山市"),
        ("内蒙古自治区呼和浩特市赛罕区大学西街", "呼和浩特市赛罕区"),
        ("河北省保定市安新县白洋淀大道1号", "保定市安新县"),
        ("重庆市渝中区解放碑步行街", "重庆市渝中区"),
        ("北京市朝阳区望京花园小区3号楼", "北京市朝阳区"),
        ("朝阳区建国路88号", "朝阳区"),
        ("北京市 海淀区 中关村", "北京市海淀区"),
    ],
)
def test_the_district_is_read_from_a_real_looking_address(address: str, district: str) -> None:
    assert district_of(address) == district


@pytest.mark.parametrize("address", ["", "123 Main Street, Springfield", "北京市", "望京小区3号楼"])
def test_an_address_without_a_district_gives_none(address: str) -> None:
    assert district_of(address) == ""


def test_two_districts_of_the_same_name_in_different_cities_stay_apart() -> None:
    assert district_of("北京市朝阳区建国路88号") != district_of("吉林省长春市朝阳区人民大街")


def test_a_route_groups_addresses_by_district_and_puts_the_unknown_last() -> None:
    addresses = [
        "somewhere abroad",
        "北京市海淀区中关村大街27号",
        "北京市朝阳区建国路88号",
        "北京市海淀区学院路30号",
    ]

    ordered = sorted(addresses, key=route_key)

    assert ordered == [
        "北京市朝阳区建国路88号",
        "北京市海淀区中关村大街27号",
        "北京市海淀区学院路30号",
        "somewhere abroad",
    ]
