"""The flat documents the simulated citizen photographs, drawn with Pillow.

ID card front and back, business licence, household register page, bank
card, a handwritten application, and a library card (the wrong document),
with fake but well-formed numbers: ID number with its GB 11643 check digit,
unified social credit code with its GB 32100 check character, a bank card
number passing Luhn. ``sandbox.documents`` turns them into phone photos.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, get_args

from PIL import Image, ImageDraw, ImageFilter, ImageFont

DocumentKind = Literal[
    "id_front", "id_back", "business_licence", "household_register", "bank_card", "application"
]
Defect = Literal[
    "none",
    "blurred",
    "cut_off",
    "exif_6",
    "exif_8",
    "rotated",
    "glare",
    "wrong_document",
    "expired",
]
KINDS: Final[tuple[DocumentKind, ...]] = get_args(DocumentKind)
DEFECTS: Final[tuple[Defect, ...]] = get_args(Defect)
FONT_PATH: Final = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
_CARD: Final = (1712, 1080)
_SURNAMES: Final = "陈李王张刘黄林何叶罗梁郑谢"
_GIVEN: Final = ("志强", "秀英", "伟", "丽娟", "建华", "小明", "嘉怡", "国平", "海燕", "俊杰")
_STREETS: Final = ("南城街道鸿福路", "东城街道东纵路", "莞城街道北正路", "松山湖园区新城大道")


# --- fake but well-formed numbers ---------------------------------------------------


def id_number(rng: random.Random, *, born: str = "") -> str:
    """A Dongguan (441900) resident ID number with a correct GB 11643 check digit."""
    birth = born or f"{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"441900{birth}{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def credit_code(rng: random.Random) -> str:
    """A unified social credit code with a correct GB 32100 check character."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91441900" + "".join(rng.choice(alphabet) for _ in range(9))
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + alphabet[(31 - total % 31) % 31]


def bank_card_number(rng: random.Random) -> str:
    """A 19-digit card number passing the Luhn check."""
    body = "622848" + "".join(str(rng.randint(0, 9)) for _ in range(12))
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return body + str((10 - total % 10) % 10)


# --- drawing the documents flat ----------------------------------------------------------


class _Pen:
    """Fonts by size for one drawing (loaded on demand)."""

    def __init__(self, image: Image.Image) -> None:
        self.draw = ImageDraw.Draw(image)
        self._fonts: dict[int, ImageFont.FreeTypeFont] = {}

    def font(self, size: int) -> ImageFont.FreeTypeFont:
        if size not in self._fonts:
            self._fonts[size] = ImageFont.truetype(str(FONT_PATH), size)
        return self._fonts[size]

    def text(self, xy: tuple[float, float], text: str, size: int, fill: str = "#222") -> None:
        self.draw.text(xy, text, font=self.font(size), fill=fill)


@dataclass(frozen=True, slots=True)
class _Person:
    name: str
    sex: str
    born: str
    address: str
    id_number: str


def _person(rng: random.Random) -> _Person:
    born = f"{rng.randint(1955, 2003)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    address = f"广东省东莞市{rng.choice(_STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}栋"
    return _Person(
        name=rng.choice(_SURNAMES) + rng.choice(_GIVEN),
        sex=rng.choice("男女"),
        born=born,
        address=address,
        id_number=id_number(rng, born=born),
    )


def _id_front(rng: random.Random, p: _Person) -> tuple[Image.Image, tuple[int, int, int, int]]:
    img = Image.new("RGB", _CARD, "#e9eef2")
    pen = _Pen(img)
    for y in range(0, _CARD[1], 18):  # the faint guilloche of the card
        pen.draw.arc((-400, y - 300, 2100, y + 300), 200, 340, fill="#d6e0e8", width=2)
    label = "#2e5f8a"
    pen.text((110, 120), "姓  名", 48, label)
    pen.text((300, 112), p.name, 60)
    pen.text((110, 230), "性  别", 48, label)
    pen.text((300, 224), p.sex, 56)
    pen.text((470, 230), "民  族", 48, label)
    pen.text((660, 224), "汉", 56)
    pen.text((110, 340), "出  生", 48, label)
    pen.text((300, 334), f"{p.born[:4]} 年 {int(p.born[4:6])} 月 {int(p.born[6:])} 日", 52)
    pen.text((110, 450), "住  址", 48, label)
    pen.text((300, 444), p.address[:13], 50)
    pen.text((300, 514), p.address[13:], 50)
    pen.text((110, 820), "公民身份号码", 48, label)
    number_box = (520, 800, 1620, 890)
    pen.text((530, 808), " ".join([p.id_number[:6], p.id_number[6:14], p.id_number[14:]]), 64)
    pen.draw.rounded_rectangle((1180, 140, 1600, 660), 12, fill="#dfe6ec")
    pen.draw.ellipse((1290, 210, 1490, 450), fill="#7d8790")
    pen.draw.pieslice((1210, 440, 1570, 800), 180, 360, fill="#7d8790")
    return img, number_box


def _id_back(rng: random.Random, expired: bool) -> tuple[Image.Image, tuple[int, int, int, int]]:
    img = Image.new("RGB", _CARD, "#eef0ea")
    pen = _Pen(img)
    pen.draw.ellipse((120, 90, 420, 390), fill="#c8102e")
    cx, cy, r = 270, 240, 90
    star = [
        (
            cx + (r if i % 2 == 0 else r * 0.4) * math.sin(i * math.pi / 5),
            cy - (r if i % 2 == 0 else r * 0.4) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    pen.draw.polygon(star, fill="#f6c544")
    pen.text((560, 150), "中华人民共和国", 96, "#222")
    pen.text((620, 300), "居民身份证", 120, "#222")
    pen.text((240, 760), "签发机关", 48, "#2e5f8a")
    pen.text((480, 752), "东莞市公安局", 54)
    start = rng.randint(2004, 2006) if expired else rng.randint(2016, 2023)
    m, d = rng.randint(1, 12), rng.randint(1, 28)
    pen.text((240, 880), "有效期限", 48, "#2e5f8a")
    validity = f"{start}.{m:02d}.{d:02d}-{start + 10}.{m:02d}.{d:02d}"
    pen.text((480, 872), validity, 54)
    return img, (470, 860, 1300, 950)


def _licence(rng: random.Random, p: _Person, expired: bool) -> tuple[Image.Image, tuple[int, ...]]:
    img = Image.new("RGB", (2100, 1480), "#fbf6e9")
    pen = _Pen(img)
    for inset, width in ((30, 14), (62, 4)):
        pen.draw.rectangle(
            (inset, inset, 2100 - inset, 1480 - inset), outline="#b8860b", width=width
        )
    pen.text((830, 110), "营 业 执 照", 110, "#b3121b")
    code = credit_code(rng)
    pen.text((160, 300), f"统一社会信用代码  {code}", 46)
    firm = f"东莞市{p.name[0]}记{rng.choice(['五金', '餐饮', '电子', '服装'])}有限公司"
    start = rng.randint(2003, 2008) if expired else rng.randint(2012, 2022)
    rows = [
        ("名        称", firm),
        ("类        型", "有限责任公司（自然人投资或控股）"),
        ("法定代表人", p.name),
        ("经 营 范 围", "五金制品、电子产品销售；货物进出口。"),
        ("注 册 资 本", f"人民币{rng.randint(10, 500)}万元"),
        ("成 立 日 期", f"{start}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"),
        ("营 业 期 限", f"{start}年至{start + (10 if expired else 30)}年"),
        ("住        所", p.address),
    ]
    for i, (label, value) in enumerate(rows):
        pen.text((160, 420 + i * 110), label, 44, "#333")
        pen.text((520, 420 + i * 110), value, 44)
    for y in range(1080, 1330, 25):  # a QR-code-like block
        for x in range(1700, 1950, 25):
            if rng.random() < 0.5:
                pen.draw.rectangle((x, y, x + 24, y + 24), fill="#111")
    pen.draw.ellipse((1380, 1120, 1640, 1380), outline="#d0021b", width=10)
    pen.text((1420, 1225), "登记机关", 42, "#d0021b")
    return img, (150, 290, 1300, 370)


def _household(rng: random.Random, p: _Person) -> tuple[Image.Image, tuple[int, ...]]:
    img = Image.new("RGB", (1480, 2000), "#f3efe4")
    pen = _Pen(img)
    pen.text((430, 90), "常住人口登记卡", 78, "#6b3a1f")
    rows = [
        ("姓名", p.name, "户主或与户主关系", "户主"),
        ("性别", p.sex, "民族", "汉"),
        ("出生日期", f"{p.born[:4]}年{int(p.born[4:6])}月{int(p.born[6:])}日", "籍贯", "广东东莞"),
        ("公民身份号码", p.id_number, "血型", rng.choice("ABO")),
        ("文化程度", rng.choice(["大学本科", "高中", "初中"]), "婚姻状况", "已婚"),
        ("服务处所", "东莞市某某公司", "职业", "职员"),
        ("何时由何地迁来本址", "", "", ""),
        ("住址", p.address, "", ""),
    ]
    top, h = 260, 180
    for i, (a, b, c, d) in enumerate(rows):
        y = top + i * h
        pen.draw.rectangle((80, y, 1400, y + h), outline="#6b3a1f", width=3)
        pen.draw.line((330, y, 330, y + h), fill="#6b3a1f", width=3)
        pen.text((100, y + 60), a[:6], 36, "#6b3a1f")
        pen.text((350, y + 58), b, 40)
        if c:
            pen.draw.line((820, y, 820, y + h), fill="#6b3a1f", width=3)
            pen.draw.line((1080, y, 1080, y + h), fill="#6b3a1f", width=3)
            pen.text((840, y + 60), c[:6], 34, "#6b3a1f")
            pen.text((1100, y + 58), d, 40)
    pen.draw.ellipse((1050, 1760, 1330, 1960), outline="#c81d25", width=8)
    pen.text((1095, 1840), "户口专用章", 38, "#c81d25")
    number_y = top + 3 * h
    return img, (340, number_y + 20, 820, number_y + h - 20)


def _bank_card(rng: random.Random, expired: bool) -> tuple[Image.Image, tuple[int, ...]]:
    w, h = _CARD
    gradient = Image.linear_gradient("L").rotate(60).resize((w, h))
    img = Image.merge(
        "RGB",
        (
            gradient.point(lambda v: 10 + v // 6),
            gradient.point(lambda v: 40 + v // 5),
            gradient.point(lambda v: 110 + v // 3),
        ),
    )
    pen = _Pen(img)
    pen.text((110, 90), "东莞示例银行", 76, "#f2f2f2")
    pen.text((110, 190), "借记卡  DEBIT", 40, "#cfd8e3")
    pen.draw.rounded_rectangle((140, 380, 360, 540), 18, fill="#d4af37")
    for y in (420, 460, 500):
        pen.draw.line((140, y, 360, y), fill="#a8871f", width=3)
    number = bank_card_number(rng)
    grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    pen.text((110, 640), grouped, 84, "#f5f5f5")
    year = rng.randint(18, 22) if expired else rng.randint(28, 33)
    pen.text((760, 800), f"VALID THRU  {rng.randint(1, 12):02d}/{year}", 48, "#f5f5f5")
    pen.text((110, 900), "UNIONPAY  银联", 48, "#f5f5f5")
    return img, (100, 630, 1650, 740)


def _application(rng: random.Random, p: _Person) -> tuple[Image.Image, tuple[int, ...]]:
    img = Image.new("RGB", (1240, 1754), "#fdfdf8")
    pen = _Pen(img)
    for y in range(330, 1600, 90):
        pen.draw.line((90, y, 1150, y), fill="#c9d6e8", width=2)
    lines = [
        "申 请 书",
        f"本人{p.name}，身份证号{p.id_number}，",
        f"住{p.address[:12]}，",
        "因原单位解除劳动合同，现申请领取",
        "失业保险金，请予审核办理。",
        "",
        f"申请人：{p.name}",
        f"{rng.randint(2024, 2026)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
    ]
    ink = "#1d2f6f"
    for row, line in enumerate(lines):
        size = 70 if row == 0 else 52
        x = 480.0 if row == 0 else 100.0
        if row >= 6:
            x = 640.0
        y = 150 + row * 90 + (0 if row == 0 else 160)
        for ch in line:  # hand-written: every character a little off
            pen.text(
                (x + rng.uniform(-3, 3), y + rng.uniform(-6, 6)), ch, size + rng.randint(-4, 4), ink
            )
            x += size * (0.55 if ch.isascii() else 1.0) + rng.uniform(-2, 3)
    return img, (100, 400, 1150, 480)


def _library_card(rng: random.Random, p: _Person) -> tuple[Image.Image, tuple[int, ...]]:
    img = Image.new("RGB", _CARD, "#f7e7c6")
    pen = _Pen(img)
    pen.text((120, 100), "东莞图书馆  借书证", 90, "#7a3b00")
    pen.text((120, 420), f"姓名：{p.name}", 64)
    pen.text((120, 560), f"证号：{rng.randint(10**9, 10**10 - 1)}", 64)
    pen.draw.rectangle((120, 760, 1500, 900), fill="#222")
    return img, (110, 550, 1000, 650)


def render_document(kind: DocumentKind, defect: Defect, rng: random.Random) -> Image.Image:
    """The flat document (with glare drawn on if asked), before it is photographed."""
    person = _person(rng)
    expired = defect == "expired"
    doc: Image.Image
    box: tuple[int, ...]
    if defect == "wrong_document":
        doc, box = _library_card(rng, person)
    elif kind == "id_front":
        doc, box = _id_front(rng, person)
    elif kind == "id_back":
        doc, box = _id_back(rng, expired)
    elif kind == "business_licence":
        doc, box = _licence(rng, person, expired)
    elif kind == "household_register":
        doc, box = _household(rng, person)
    elif kind == "bank_card":
        doc, box = _bank_card(rng, expired)
    else:
        doc, box = _application(rng, person)
    if defect == "glare":
        doc = _glare(doc, box)
    return doc


def _glare(doc: Image.Image, box: tuple[int, ...]) -> Image.Image:
    x0, y0, x1, y1 = box
    mask = Image.new("L", doc.size, 0)
    ImageDraw.Draw(mask).ellipse((x0 - 60, y0 - 90, x1 + 60, y1 + 90), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(40))
    return Image.composite(Image.new("RGB", doc.size, "#ffffff"), doc, mask)
