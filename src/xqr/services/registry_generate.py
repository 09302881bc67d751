"""Synthetic Hunan enterprises for demos and benchmarks, deterministic for a seed.

Names follow the usual pattern place + brand + industry word + organisational form
(长沙鑫源软件有限公司, 浏阳市金桥蔬菜种植专业合作社); credit codes carry the registering
authority's division code and pass both check characters (GB 11714 position 17, GB 32100 position 18);
登记机关 is named after that division (长沙市岳麓区市场监督管理局). Codes are unique within one run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterator

from xqr.services.identity_codes import credit_code_check_character, organization_code_check_character
from xqr.services.reference import Division, cities, counties, divisions
from xqr.services.registry import RegistryEntry

#: GB 32100 code set (no I, O, S, V, Z)
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
BODY_SPACE = len(CODE_CHARS) ** 6


def make_credit_code(category: str, division_code: str, body: str) -> str:
    """category ('91' 企业, '92' 个体工商户, '93' 农民专业合作社) + division + 8-char body + both checks."""
    first_17 = category + division_code + body + organization_code_check_character(body)
    return first_17 + credit_code_check_character(first_17)


def authority_name(division_code: str) -> str:
    """登记机关 of a division: city bureaus and county bureaus by name; districts carry their city's name,
    because district names repeat across cities."""
    division = divisions()[division_code]
    if division.level != "county":
        return f"{division.name}市场监督管理局"
    if division.name.endswith("区"):
        return f"{divisions()[division.parent or ''].name}{division.name}市场监督管理局"
    return f"{division.name}市场监督管理局"


def short_place(division: Division) -> str:
    """长沙 for 长沙市, 岳麓 for 岳麓区, 城步 for 城步苗族自治县, 攸县 stays 攸县."""
    if "自治" in division.name:
        return division.name[:2]
    return division.name[:-1] if len(division.name) > 2 else division.name


@dataclass(frozen=True)
class Kind:
    """A kind of market entity: its types, code category and how its names are built."""

    types: tuple[str, ...]
    weight: int
    category: str
    #: name pattern: company | branch | sole | partnership | household | cooperative
    pattern: str
    industries: tuple[str, ...]
    capitals: tuple[int, ...]


COMMON_INDUSTRIES = (
    "65", "65", "64", "51", "51", "52", "72", "72", "75", "74", "50", "47", "48", "54", "59", "39", "38",
    "34", "35", "36", "33", "30", "29", "26", "27", "14", "13", "15", "18", "21", "23", "70", "61", "62",
    "77", "80", "81", "83", "84", "86", "88", "44",
)
KINDS = (
    Kind(
        ("有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）", "有限责任公司（自然人投资或控股的法人独资）",
         "有限责任公司（非自然人投资或控股的法人独资）", "其他有限责任公司", "有限责任公司（国有控股）",
         "有限责任公司（外商投资、非独资）", "有限责任公司（港澳台投资、非独资）"),
        60, "91", "company", COMMON_INDUSTRIES, (3, 5, 10, 10, 20, 30, 50, 50, 100, 100, 200, 300, 500, 1000, 2000, 5000),
    ),
    Kind(("股份有限公司（非上市、自然人投资或控股）", "其他股份有限公司（非上市）"), 3, "91", "company",
         COMMON_INDUSTRIES, (500, 1000, 2000, 3000, 5000, 10000, 30000)),
    Kind(("有限责任公司分公司（自然人投资或控股）",), 5, "91", "branch", COMMON_INDUSTRIES, (0,)),
    Kind(("个人独资企业",), 5, "91", "sole", ("51", "52", "72", "62", "80", "81"), (1, 3, 5, 10, 20, 50)),
    Kind(("有限合伙企业", "普通合伙企业"), 3, "91", "partnership", ("72", "67", "75", "74"), (100, 500, 1000, 3000, 10000)),
    Kind(("个体工商户",), 20, "92", "household", ("52", "52", "62", "62", "80", "81", "51"), (1, 2, 3, 5, 10, 20, 50)),
    Kind(("农民专业合作社",), 4, "93", "cooperative", ("01", "01", "03", "02", "05"), (10, 30, 50, 100, 200, 500)),
)
INDUSTRY_WORDS = {
    "01": ("农业科技", "生态农业", "农业开发"), "02": ("林业", "苗木"), "03": ("养殖", "畜牧"), "05": ("农机服务",),
    "13": ("米业", "粮油", "农副产品"), "14": ("食品", "食品科技"), "15": ("茶业", "酒业", "饮品"),
    "18": ("服饰", "制衣"), "21": ("家具",), "23": ("印务", "包装印刷"), "26": ("化工", "新材料"),
    "27": ("医药", "生物科技", "制药"), "29": ("塑业", "橡塑制品"), "30": ("建材", "陶瓷", "新型建材"),
    "33": ("金属制品", "五金"), "34": ("机械", "机械设备"), "35": ("智能装备", "专用设备"),
    "36": ("汽车零部件", "汽车配件"), "38": ("电气", "新能源", "电力设备"), "39": ("电子", "电子科技", "智能科技"),
    "44": ("电力", "能源"), "47": ("建设", "建筑工程"), "48": ("路桥建设", "市政工程"), "50": ("装饰工程", "建筑装饰"),
    "51": ("贸易", "商贸", "供应链"), "52": ("商贸", "百货", "超市"), "54": ("物流", "运输"), "59": ("仓储", "物流"),
    "61": ("酒店管理", "宾馆"), "62": ("餐饮管理", "餐饮"), "64": ("网络科技", "互联网科技"),
    "65": ("软件", "信息技术", "数据科技", "云计算科技"), "67": ("投资", "股权投资"), "70": ("房地产开发", "置业"),
    "72": ("企业管理咨询", "商务咨询", "人力资源"), "74": ("工程技术", "检测技术", "勘测设计"), "75": ("科技", "技术服务"),
    "77": ("环保科技", "环境工程"), "80": ("家政服务", "物业管理"), "81": ("汽车服务", "汽车维修"),
    "83": ("教育科技", "教育咨询"), "84": ("健康管理", "医疗管理"), "86": ("文化传媒", "图书"), "88": ("文化艺术", "文化发展"),
}
SHOP_WORDS = {
    "51": ("商行", "经营部"), "52": ("便利店", "超市", "商店", "副食店"), "62": ("餐馆", "粉店", "小吃店", "湘菜馆"),
    "72": ("咨询服务部", "工作室"), "80": ("理发店", "家政服务部", "洗衣店"), "81": ("汽车修理店", "电器维修部"),
}
COOPERATIVE_WORDS = {
    "01": ("蔬菜种植", "水果种植", "水稻种植", "油茶种植", "中药材种植", "茶叶种植"), "02": ("油茶", "楠竹"),
    "03": ("生猪养殖", "家禽养殖", "肉牛养殖"), "05": ("农机", "植保"),
}
SCOPE = {
    "company": "{word}相关产品的研发、生产与销售；技术开发、技术咨询、技术服务；货物进出口。"
    "（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
    "household": "{word}经营。（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
    "cooperative": "组织采购、供应成员所需的生产资料；组织收购、销售成员的{word}产品；开展与{word}有关的技术培训、"
    "技术交流和信息咨询服务。",
}
BRAND_FIRST = "鑫华盛恒达顺创宏兴源泰湘楚麓星辰博远信德瑞祥金鸿嘉锦新天中联安康美佳优卓精诚振荣丰和利益万通立凯旭晟睿智航"
BRAND_SECOND = "源达盛华丰泰兴隆成通汇宇辉科创远翔鼎昌诚瑞安康晟昊阳峰锦程意威远海弘力邦博越亿润"
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红亮文斌辉玲波宁峰湘楚妍晨浩宇子轩梓涵欣怡思远"
ROADS = (
    "人民路", "解放路", "建设路", "中山路", "五一大道", "芙蓉中路", "韶山路", "湘江中路", "车站北路", "新华路", "迎宾路",
    "金星路", "麓谷大道", "长沙大道", "桐梓坡路", "枫林路", "黄兴路", "劳动路", "万家丽路", "远大路", "东风路", "书院路",
    "天马路", "岳麓大道", "银盆岭路", "学院路", "滨江路", "光明路",
)
TOWNS = ("白沙镇", "黄花镇", "金井镇", "石门镇", "新塘镇", "长乐镇", "龙田镇", "青山镇", "桃花镇", "观音镇", "枫树镇")
VILLAGES = ("和平村", "新民村", "团结村", "光明村", "红星村", "幸福村", "金桥村", "田心村", "大塘村")
STATUSES = (("存续", 70), ("在业", 8), ("注销", 11), ("吊销，未注销", 5), ("迁出", 2), ("吊销", 1), ("停业", 1), ("清算", 1), ("歇业", 1))
FIRST_DAY = date(1995, 1, 1)
LAST_DAY = date(2026, 10, 31)


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        # An affine permutation of the body space: a different, unique body for each index.
        self.multiplier = self.rng.randrange(1, BODY_SPACE)
        while self.multiplier % len(CODE_CHARS) == 0:  # coprime with the space, so the map is one-to-one
            self.multiplier += 1
        self.offset = self.rng.randrange(BODY_SPACE)
        self.cities = cities()
        self.city_weights = [4 if city.code == "430100" else 1 for city in self.cities]
        self.counties = {city.code: counties(city.code) for city in self.cities}

    def body(self, index: int) -> str:
        value = (index * self.multiplier + self.offset) % BODY_SPACE
        chars = []
        for _ in range(6):
            value, digit = divmod(value, len(CODE_CHARS))
            chars.append(CODE_CHARS[digit])
        return "MA" + "".join(chars)

    def pick(self, text: str | tuple) -> str:
        return self.rng.choice(text)

    def person(self) -> str:
        return self.pick(SURNAMES) + "".join(self.pick(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))

    def entry(self, index: int) -> RegistryEntry:
        rng = self.rng
        kind = rng.choices(KINDS, weights=[k.weight for k in KINDS])[0]
        city = rng.choices(self.cities, weights=self.city_weights)[0]
        county = rng.choice(self.counties[city.code])
        # A tenth of the enterprises are registered by the city's bureau rather than the county's.
        registering = city if kind.pattern in {"company", "branch"} and rng.random() < 0.1 else county
        industry = rng.choice(kind.industries)
        words = COOPERATIVE_WORDS if kind.pattern == "cooperative" else INDUSTRY_WORDS
        word = self.pick(words[industry])
        brand = self.pick(BRAND_FIRST) + self.pick(BRAND_SECOND)
        name = self.name(kind, city, county, brand, industry, word)
        capital = rng.choice(kind.capitals)
        status = rng.choices([s for s, _ in STATUSES], weights=[w for _, w in STATUSES])[0]
        span = (LAST_DAY - FIRST_DAY).days
        established = FIRST_DAY + timedelta(days=int(rng.triangular(0, span, span)))
        if kind.pattern == "cooperative":
            address = f"湖南省{city.name}{county.name}{self.pick(TOWNS)}{self.pick(VILLAGES)}{rng.randint(1, 30)}组"
        else:
            address = f"湖南省{city.name}{county.name}{self.pick(ROADS)}{rng.randint(1, 999)}号"
            if rng.random() < 0.5:
                address += f"{rng.randint(1, 30)}栋{rng.randint(1, 28)}{rng.randint(1, 20):02d}室"
        # A one-person shop's scope reads like a household's, not like a company's.
        scope = SCOPE.get("household" if kind.pattern == "sole" else kind.pattern, SCOPE["company"]).format(word=word)
        return RegistryEntry(
            credit_code=make_credit_code(kind.category, registering.code, self.body(index)),
            name=name,
            status=status,
            division_code=registering.code,
            address=address,
            enterprise_type=rng.choice(kind.types),
            established_on=established,
            registered_capital=Decimal(capital) if capital else None,
            authority=authority_name(registering.code),
            industry_code=industry,
            legal_representative=self.person(),
            business_scope=scope,
        )

    def name(self, kind: Kind, city: Division, county: Division, brand: str, industry: str, word: str) -> str:
        rng = self.rng
        if kind.pattern in {"household", "sole"}:
            return f"{city.name}{county.name}{brand}{self.pick(SHOP_WORDS[industry])}"
        if kind.pattern == "cooperative":
            return f"{county.name}{brand}{word}专业合作社"
        place = rng.choices(("湖南", short_place(city), city.name, f"{city.name}{county.name}"), weights=(3, 4, 2, 1))[0]
        if kind.pattern == "branch":
            return f"{place}{brand}{word}有限公司{short_place(county)}分公司"
        if kind.pattern == "partnership":
            return f"{short_place(city)}{brand}{word}合伙企业（{'有限' if '有限' in kind.types[0] else '普通'}合伙）"
        form = "股份有限公司" if "股份" in kind.types[0] else rng.choices(("有限公司", "有限责任公司"), weights=(9, 1))[0]
        return f"{place}{brand}{word}{form}"


def generate_entries(count: int, seed: int = 1) -> Iterator[RegistryEntry]:
    """`count` synthetic enterprises; the same seed gives the same enterprises in the same order."""
    if count > BODY_SPACE:
        raise ValueError(f"at most {BODY_SPACE} enterprises per run")
    generator = Generator(seed)
    for index in range(count):
        yield generator.entry(index)
