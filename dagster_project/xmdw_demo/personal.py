"""Fake personal data for the project register (联系人, 联系电话, 法人身份证号, 填报人): plausible, never real,
deterministic for a given random.Random.

Names are drawn from common surnames and given-name characters; mobile numbers use real carrier prefixes;
ID numbers are 18 characters with the region code, a birth date and a valid GB 11643 check character, so a
masking test sees exactly what a real register holds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏波宁俊峰鑫欣怡晨博浩宇轩然梅琳"
MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "177", "180",
                   "181", "183", "187", "189", "199")  # fmt: skip
AREA_CODES = {"610728": "0916", "511902": "0827"}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class Contact:
    """The personal fields of one register row (None where the unit left the cell empty)."""

    contact_person: str | None
    contact_phone: str | None
    legal_person_id: str | None


def fake_name(r: random.Random) -> str:
    """A two- or three-character Chinese name."""
    given = "".join(r.choice(GIVEN) for _ in range(1 if r.random() < 0.35 else 2))
    return r.choice(SURNAMES) + given


def fake_phone(r: random.Random, region: str) -> str:
    """Mostly an 11-digit mobile number; sometimes the office landline with the area code."""
    if r.random() < 0.15:
        return f"{AREA_CODES.get(region, '0916')}-{r.randint(3100000, 3999999)}"
    return r.choice(MOBILE_PREFIXES) + f"{r.randint(0, 99_999_999):08d}"


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character of a citizen ID number's first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def fake_id_number(r: random.Random, region: str) -> str:
    """18 characters: registration region, birth date (1960-1995), sequence, check character."""
    born = date(1960, 1, 1) + timedelta(days=r.randint(0, 35 * 365))
    first17 = f"{region}{born:%Y%m%d}{r.randint(0, 999):03d}"
    return first17 + id_check_char(first17)


def fake_contact(r: random.Random, region: str, government_owner: bool) -> Contact:
    """A register row's contact. A government owner has no 法人 ID on the register; a few cells are left
    empty as units do."""
    person = fake_name(r) if r.random() < 0.95 else None
    phone = fake_phone(r, region) if person and r.random() < 0.95 else None
    legal_id = None if government_owner or r.random() < 0.1 else fake_id_number(r, region)
    return Contact(person, phone, legal_id)
