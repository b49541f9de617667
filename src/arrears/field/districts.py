"""The district (区/县) of a Chinese address, to order a field agent's day by route.

Pure: no Django import. Addresses are written from the largest unit down — province,
city, district or county, then street and door (北京市海淀区中关村大街1号,
广东省深圳市南山区科技园, 浙江省杭州市余杭区…). A visit route groups the addresses of one
district together, so the district is read as ``city + district``: two 朝阳区 (Beijing's
and Changchun's) are different places.
"""

from __future__ import annotations

import re
import unicodedata

# Provinces, autonomous regions and the special administrative regions (the first unit).
_PROVINCE = r"(?P<province>[^\d\s省市区县]{2,8}?(?:省|自治区|特别行政区))?"
# A prefecture-level unit: a city, autonomous prefecture, region or league. The four
# municipalities (北京市, 上海市, 天津市, 重庆市) sit here with no province before them.
_CITY = r"(?P<city>[^\d\s省市区县]{2,10}?(?:市|自治州|地区|盟))?"
# The county-level unit: a district, county, banner or county-level city. At least one
# character before the suffix, and not a street-level word: 小区 and 园区 are estates,
# not districts.
_COUNTY = r"(?P<county>[^\d\s省市区县]{1,10}?(?:区|县|旗|市))"
_ADDRESS = re.compile(_PROVINCE + _CITY + _COUNTY)
_NOT_DISTRICTS = ("小区", "园区", "社区", "校区", "厂区", "景区", "街区", "营区")


def district_of(address: str) -> str:
    """The city and district of ``address`` (``北京市海淀区``, ``深圳市南山区``,
    ``余杭区`` when no city is written), or ``""`` when none can be read (a foreign or
    free-form address, a bare street).

    A county-level city (县级市, e.g. 江苏省苏州市昆山市) counts as the district. Full-width
    characters and spaces are normalised first.
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", address or ""))
    found = _ADDRESS.match(text)
    if found is None:
        return ""
    county = found.group("county")
    city = found.group("city") or ""
    if county.endswith(_NOT_DISTRICTS):
        return city
    if not city and not found.group("province") and county.endswith("市"):
        # A city alone (上海市) names no district; its district follows, if any.
        rest = _ADDRESS.match(text[len(county) :])
        if rest is None or not rest.group("county"):
            return ""
        return county + rest.group("county")
    return city + county


def route_key(address: str) -> tuple[int, str]:
    """A sort key that groups addresses by district and puts unknown districts last."""
    district = district_of(address)
    return (0, district) if district else (1, "")
