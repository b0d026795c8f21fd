"""The fictional province: offices, their hierarchy, region paths and the years they must report."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

PROVINCE = "示例省"
YEARS = tuple(range(2019, 2026))

CITIES = ("青川市", "云岭市", "白鹭市", "临波市", "石湾市", "金禾市")
_SYL1 = "玉 清 安 宁 和 平 丰 泰 兴 东 西 南 北 长 永 新 福 康 柳 桂 桐 梅 兰 竹 松 川 溪 湖 江 河 山 峰 岭 源".split()
_SYL2 = "川 溪 湖 江 河 山 峰 岭 源 阳 城 泉 州 口 林 湾 滨 塘 坪 桥 原 田 岗 坝".split()
_TOWN_SUFFIX = ("镇", "镇", "乡", "街道")

# Departments: (name suffix at city level, at county level, activity scale, has licensing power)
# scale = typical yearly information-disclosure requests at county level (city ×3, province ×6)
CITY_DEPTS = (
    ("教育局", 6), ("公安局", 40), ("自然资源和规划局", 30), ("生态环境局", 8),
    ("住房和城乡建设局", 20), ("人力资源和社会保障局", 12), ("卫生健康委员会", 6),
    ("市场监督管理局", 14), ("交通运输局", 7), ("档案馆", 1),
)
COUNTY_DEPTS = (
    ("教育局", 5), ("公安分局", 30), ("自然资源局", 24), ("住房和城乡建设局", 15),
    ("市场监督管理局", 10), ("人力资源和社会保障局", 8), ("档案馆", 1), ("卫生健康局", 4),
)
PROVINCE_DEPTS = (
    ("教育厅", 8), ("公安厅", 30), ("自然资源厅", 35), ("生态环境厅", 10), ("住房和城乡建设厅", 18),
    ("交通运输厅", 8), ("人力资源和社会保障厅", 14), ("卫生健康委员会", 9), ("市场监督管理局", 12),
    ("财政厅", 6), ("档案馆", 1),
)


@dataclass
class Office:
    name: str
    unit_type: str  # government | general_office | department | township | dev_zone
    report_kind: str  # department | gov_self | region_summary
    region_path: str
    parent: str = ""
    aliases: list[str] = field(default_factory=list)
    scale: float = 1.0  # expected requests per year
    level: str = "county"  # province | city | county | township
    dept: str = ""  # department kind, e.g. 公安局
    years: tuple[int, ...] = YEARS
    parts: list[str] = field(default_factory=list)  # region summaries: offices summed

    @property
    def expected_years(self) -> str:
        return f"{self.years[0]}-{self.years[-1]}"

    @property
    def deadline(self) -> str:
        """Statutory deadline (month-day) of the report on the year after: departments 1月31日,
        governments' own reports and region summaries 3月31日 (SPEC §1)."""
        return "01-31" if self.report_kind == "department" else "03-31"


def _unique_names(rng: random.Random, n: int, used: set[str], suffixes) -> list[str]:
    out = []
    while len(out) < n:
        suffix = rng.choice(suffixes)
        name = rng.choice(_SYL1) + rng.choice(_SYL2)
        if name[0] == name[1] or name in used:
            continue
        used.add(name)
        out.append(name + suffix)
    return out


def build_world(seed: int = 2019, small: bool = False) -> list[Office]:
    """All offices of the province, in a stable order. ``small`` keeps two cities with two counties each."""
    rng = random.Random(f"world-{seed}")
    offices: list[Office] = []
    prov_gov = f"{PROVINCE}人民政府"
    offices.append(Office(prov_gov, "government", "gov_self", PROVINCE, "", [f"{PROVINCE}政府"],
                          scale=80, level="province"))
    offices.append(Office(f"{PROVINCE}人民政府办公厅", "general_office", "department", PROVINCE, prov_gov,
                          [f"{PROVINCE}政府办公厅"], scale=25, level="province", dept="办公厅"))
    pdepts = PROVINCE_DEPTS if not small else PROVINCE_DEPTS[:4]
    for suffix, scale in pdepts:
        offices.append(Office(f"{PROVINCE}{suffix}", "department", "department", PROVINCE, prov_gov,
                              [f"省{suffix}"], scale=scale * 4, level="province", dept=suffix))
    used: set[str] = {c[:-1] for c in CITIES}
    cities = CITIES if not small else CITIES[:2]
    for ci, city in enumerate(cities):
        cpath = f"{PROVINCE}/{city}"
        cgov = f"{city}人民政府"
        short = city[:-1]
        city_offices: list[Office] = []
        city_offices.append(Office(cgov, "government", "gov_self", cpath, prov_gov, [f"{city}政府"],
                                   scale=45, level="city"))
        city_offices.append(Office(f"{city}人民政府办公室", "general_office", "department", cpath, cgov,
                                   [f"{city}政府办公室"], scale=12, level="city", dept="办公室"))
        cdepts = CITY_DEPTS if not small else CITY_DEPTS[:5]
        for suffix, scale in cdepts:
            if not small and rng.random() < 0.12 and suffix not in ("公安局", "档案馆"):
                continue  # not every city has every department in the registry
            city_offices.append(Office(f"{city}{suffix}", "department", "department", cpath, cgov,
                                       [f"{short}{suffix}"] if rng.random() < 0.5 else [],
                                       scale=scale * 2.5, level="city", dept=suffix))
        dz = f"{city}经济技术开发区管理委员会"
        dz_years = YEARS if rng.random() < 0.6 else tuple(range(2021, 2026))
        city_offices.append(Office(dz, "dev_zone", "department", f"{cpath}/{short}经济技术开发区", cgov,
                                   [f"{short}经开区管委会", f"{short}经济技术开发区管委会"], scale=6,
                                   level="city", dept="开发区", years=dz_years))
        n_counties = 5 if not small else 2
        counties = _unique_names(rng, n_counties, used, ("区", "区", "县", "县", "市"))
        county_offices: list[Office] = []
        for county in counties:
            kpath = f"{cpath}/{county}"
            kgov = f"{county}人民政府"
            kshort = county[:-1]
            mine: list[Office] = []
            mine.append(Office(kgov, "government", "gov_self", kpath, cgov, [f"{county}政府"], scale=14,
                               level="county"))
            mine.append(Office(f"{county}人民政府办公室", "general_office", "department", kpath, kgov,
                               [f"{county}政府办公室", f"{kshort}政府办"], scale=5, level="county", dept="办公室"))
            pool = list(COUNTY_DEPTS)
            rng.shuffle(pool)
            chosen = sorted(pool[:3 if not small else 2], key=COUNTY_DEPTS.index)
            if not any(s == "公安分局" for s, _ in chosen) and rng.random() < 0.5:
                chosen[0] = ("公安分局", 30)
            for suffix, scale in chosen:
                if suffix == "公安分局":
                    name, aliases = f"{city[:-1]}市公安局{county}分局", [f"{kshort}公安分局", f"{county}公安分局"]
                    dept = "公安局"
                else:
                    name, aliases = f"{county}{suffix}", ([f"{kshort}{suffix}"] if rng.random() < 0.4 else [])
                    dept = suffix
                mine.append(Office(name, "department", "department", kpath, kgov, aliases, scale=scale,
                                   level="county", dept=dept))
            for town in _unique_names(rng, 2, used, _TOWN_SUFFIX):
                tname = f"{county}{town}人民政府" if not town.endswith("街道") else f"{county}{town}办事处"
                mine.append(Office(tname, "township", "gov_self", f"{kpath}/{town}", kgov,
                                   [town + ("人民政府" if not town.endswith("街道") else "办事处")], scale=1.2,
                                   level="township", dept="乡镇"))
            summary = Office(county, "government", "region_summary", kpath, kgov, [f"{county}全区" if
                             county.endswith("区") else f"{county}全县"], scale=0, level="county")
            summary.parts = [o.name for o in mine]
            county_offices.extend(mine)
            county_offices.append(summary)
        csummary = Office(city, "government", "region_summary", cpath, cgov, [f"{city}全市"], scale=0,
                          level="city")
        csummary.parts = [o.name for o in city_offices + county_offices if o.report_kind != "region_summary"]
        offices.extend(city_offices + county_offices + [csummary])
    return offices


def offices_csv_rows(offices: list[Office]) -> list[dict]:
    return [{"name": o.name, "aliases": ";".join(o.aliases), "parent": o.parent, "region_path": o.region_path,
             "unit_type": o.unit_type, "report_kind": o.report_kind, "expected_years": o.expected_years}
            for o in offices]
