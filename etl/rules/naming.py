"""Pure helpers that read an office's unit type and region from its printed name (no DB).

Used when no registry row exists for an office: the result carries a confidence so the dashboard can tell
registry facts from guesses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

UNIT_TYPES = ("government", "general_office", "department", "township", "dev_zone", "other")

_DEV_ZONE = re.compile(r"(开发区|管委会|管理委员会|片区|园区|高新区|保税区|试验区|示范区)")
_GENERAL_OFFICE = re.compile(r"(人民政府|政府)(办公室|办公厅)$|^.{0,12}(政府办|政府办公室|政府办公厅)$")
_TOWNSHIP = re.compile(r"(乡|镇|街道)(人民政府|政府|办事处)?$|街道办事处$|(乡|镇)人民政府$")
_GOVERNMENT = re.compile(r"(人民政府|政府)$")
_DEPARTMENT = re.compile(r"(局|委|委员会|办|办公室|中心|厅|署|院|馆|所|分局|站|队|会)$")

# A region name at the start of an office name: province, city, county (in this order, each optional).
_X = "省市县区局委厅办所院"
_REGION = re.compile(
    rf"^(?P<province>[^{_X}]{{2,6}}?(?:省|自治区))?"
    rf"(?P<city>[^{_X}]{{2,6}}?(?:市|自治州|盟|地区))?"
    rf"(?P<county>[^{_X}]{{1,6}}?(?:区|县|旗|市))?"
)
_NOT_COUNTY = ("开发区", "片区", "园区", "新区", "管理区", "高新区", "保税区", "试验区", "示范区", "城区")
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")


@dataclass
class Inferred:
    unit_type: str
    province: str | None
    city: str | None
    district: str | None
    level: str | None  # province | city | county | township | None
    confidence: float

    @property
    def region_path(self) -> str | None:
        parts = [p for p in (self.province, self.city, self.district) if p]
        return "/".join(parts) or None


def unit_type_of(name: str) -> tuple[str, float]:
    """Unit type from a printed office name, with a confidence in [0, 1]."""
    n = re.sub(r"\s+", "", name or "")
    if not n:
        return "other", 0.0
    if _DEV_ZONE.search(n):
        return "dev_zone", 0.8
    if _GENERAL_OFFICE.search(n):
        return "general_office", 0.9
    if _TOWNSHIP.search(n) and not re.search(r"(城乡|乡村|城镇)[^乡镇]*$", n):
        return "township", 0.85
    if _GOVERNMENT.search(n):
        return "government", 0.9
    if _DEPARTMENT.search(n):
        return "department", 0.75
    p, c, k = region_of(n)
    if "".join(x for x in (p, c, k) if x and x != (c if p == c else None)) == n or (p or "") + (c or "") + (k or "") == n:
        return "government", 0.5  # a bare region name: the region's government (usually a summary report)
    return "other", 0.3


def region_of(text: str) -> tuple[str | None, str | None, str | None]:
    """(province, city, county) named at the start of an office name or title."""
    t = re.sub(r"\s+", "", text or "")
    m = _REGION.match(t)
    if not m:
        return None, None, None
    prov, city, county = m.group("province"), m.group("city"), m.group("county")
    if county and any(county.endswith(s) for s in _NOT_COUNTY):
        county = None
    if city and city in _MUNICIPALITIES and not prov:
        prov = city
    return prov, city, county


def infer(name: str, title: str | None = None) -> Inferred:
    unit_type, conf = unit_type_of(name)
    prov, city, county = region_of(name)
    if not (prov or city or county) and title:
        prov, city, county = region_of(title)
        conf *= 0.8
    if unit_type == "township":
        level = "township"
    elif county:
        level = "county"
    elif city:
        level = "city"
    elif prov:
        level = "province"
    else:
        level = None
        conf *= 0.6
    return Inferred(unit_type, prov, city, county, level, round(conf, 2))


def has_rulemaking_power(unit_type: str | None, level: str | None) -> bool | None:
    """规章 may be made by provincial governments, governments of 设区的市 and State Council departments.
    Townships, dev zones, county-level bodies and local departments have no such power. None = unknown."""
    if unit_type in ("township", "dev_zone"):
        return False
    if level == "county" or level == "township":
        return False
    if unit_type in ("government", "general_office"):
        if level in ("province", "city"):
            return True
        return None
    if unit_type == "department":
        return False if level in ("province", "city", "county") else None
    return None
