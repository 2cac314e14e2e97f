"""The electronic-licence library (电子证照库) the government-API sandbox holds, in its own
SQLite file beside the store's tables: per citizen, the certificates the province's system
would hold (居民身份证, 居民户口簿, 社会保障卡, and by person 结婚证, 不动产权证书, 营业执照),
each with its number, issuer, issue and expiry dates and a status.

Any valid ID number has certificates: made up but stable (seeded from the number), and
written to the table the first time the number is looked up, so a status set later
(``set_status``, from ``/admin``) stays. A few citizens are seeded with fixed cases
(``SEEDED``): the demo's applicant, and one whose ID card has expired and whose business
licence was revoked, for tests and drills.

``licence_id`` is an opaque handle (a hash): the image of a licence is asked for by it, so
no ID number ever goes in a URL.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Final, Literal

from seat_common.validators import USCC_ALPHABET, id_check_character, uscc_check_character

LicenceStatus = Literal["valid", "expired", "revoked"]

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS e_licences (
    licence_id TEXT PRIMARY KEY, id_number TEXT NOT NULL, kind TEXT NOT NULL,
    body TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS e_licences_holder ON e_licences (id_number);
"""

#: Each kind of certificate: its name as the licence library calls it, and who issues it.
KINDS: Final[dict[str, tuple[str, str]]] = {
    "id_card": ("居民身份证", "东莞市公安局"),
    "household_register": ("居民户口簿", "东莞市公安局"),
    "social_security_card": ("社会保障卡", "东莞市人力资源和社会保障局"),
    "marriage_certificate": ("结婚证", "东莞市民政局"),
    "property_certificate": ("不动产权证书", "东莞市自然资源局"),
    "business_licence": ("营业执照", "东莞市市场监督管理局"),
}
_SURNAMES: Final = "陈李黄张梁林刘叶王钟何罗卢莫邓"
_GIVEN: Final = ("伟强", "秀英", "志明", "丽华", "嘉欣", "俊杰", "淑芬", "国华", "美玲", "小梅")
_BRANCHES: Final = ("南城分局", "东城分局", "莞城分局", "虎门分局", "长安分局", "松山湖分局")


def _with_check(first17: str) -> str:
    return first17 + id_check_character(first17)


#: The demo's applicant (ui/workstation/autopilot.py) and the test citizen with problems.
DEMO_APPLICANT: Final = "44190019551101002X"
EXPIRED_HOLDER: Final = _with_check("44190019880520001")


@dataclass(frozen=True, slots=True)
class Licence:
    """One certificate as the licence library holds it; ``expires_on`` "" = 长期有效."""

    licence_id: str
    kind: str
    name: str
    number: str
    holder_name: str
    issuer: str
    issued_on: str
    expires_on: str
    revoked: bool = False

    def status(self, today: date) -> LicenceStatus:
        if self.revoked:
            return "revoked"
        if self.expires_on and date.fromisoformat(self.expires_on) < today:
            return "expired"
        return "valid"

    def to_json(self, today: date) -> dict[str, object]:
        data: dict[str, object] = asdict(self)
        del data["revoked"]
        data["expires_on"] = self.expires_on or None
        data["status"] = self.status(today)
        return data


def licence_id(id_number: str, kind: str) -> str:
    return "EL-" + hashlib.sha256(f"e-licence:{id_number}:{kind}".encode()).hexdigest()[:24]


def _shifted(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def made_up_licences(id_number: str) -> list[Licence]:
    """The certificates the library holds for one person: stable for the number."""
    rng = random.Random(hashlib.sha256(id_number.encode()).digest())
    holder = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
    born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    id_issued = date(rng.randint(2014, 2024), rng.randint(1, 12), rng.randint(1, 28))
    years = 10 if id_issued.year - born.year < 26 else 20
    ss_issued = date(rng.randint(2016, 2025), rng.randint(1, 12), rng.randint(1, 28))

    def make(kind: str, number: str, issued: date, expires: date | None, issuer: str = ""
             ) -> Licence:
        name, default_issuer = KINDS[kind]
        return Licence(licence_id(id_number, kind), kind, name, number, holder,
                       issuer or default_issuer, issued.isoformat(),
                       expires.isoformat() if expires else "")

    found = [
        make("id_card", id_number, id_issued, _shifted(id_issued, years),
             "东莞市公安局" + rng.choice(_BRANCHES)),
        make("household_register", f"441900{rng.randint(0, 10**9 - 1):09d}",
             date(max(born.year, 1990), rng.randint(1, 12), rng.randint(1, 28)), None),
        make("social_security_card", f"441900D156{rng.randint(0, 10**6 - 1):06d}",
             ss_issued, _shifted(ss_issued, 10)),
    ]
    adult = born.year + 22 <= date.today().year
    if adult and rng.random() < 0.6:
        married = date(rng.randint(max(born.year + 22, 1980), 2025), rng.randint(1, 12), 8)
        found.append(make("marriage_certificate",
                          f"J441900-{married.year}-{rng.randint(1, 99999):05d}", married, None))
    if adult and rng.random() < 0.5:
        bought = date(rng.randint(2010, 2025), rng.randint(1, 12), rng.randint(1, 28))
        found.append(make("property_certificate",
                          f"粤({bought.year})东莞市不动产权第{rng.randint(1, 999999):07d}号",
                          bought, None))
    if adult and rng.random() < 0.4:
        first17 = "92441900" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        opened = date(rng.randint(2012, 2025), rng.randint(1, 12), rng.randint(1, 28))
        found.append(make("business_licence", first17 + uscc_check_character(first17),
                          opened, None))
    return found


def seeded_licences(id_number: str) -> list[Licence]:
    """The fixed cases of ``SEEDED`` over the made-up certificates."""
    found = made_up_licences(id_number)
    kinds = {lic.kind for lic in found}
    if id_number in (DEMO_APPLICANT, EXPIRED_HOLDER):
        for kind in ("marriage_certificate", "business_licence"):
            if kind not in kinds:  # borrowed from the first made-up person who has one
                found.append(next(
                    lic for n in range(100, 999)
                    for lic in made_up_licences(_with_check(f"44190019700101{n:03d}"))
                    if lic.kind == kind))
        found = [replace(lic, licence_id=licence_id(id_number, lic.kind),
                         holder_name=found[0].holder_name) for lic in found]
    if id_number == DEMO_APPLICANT:  # everything valid for the demo
        found = [replace(lic, issued_on="2021-03-15", expires_on="2041-03-15")
                 if lic.expires_on else lic for lic in found]
    if id_number == EXPIRED_HOLDER:
        found = [replace(lic, expires_on="2024-05-20", issued_on="2004-05-20")
                 if lic.kind == "id_card" else
                 replace(lic, revoked=True) if lic.kind == "business_licence" else lic
                 for lic in found]
    return found


SEEDED: Final = (DEMO_APPLICANT, EXPIRED_HOLDER)


class LicenceLibrary:
    """The ``e_licences`` table on the sandbox's database connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.executescript(SCHEMA)
        for number in SEEDED:
            self.of_holder(number)

    def of_holder(self, id_number: str) -> list[Licence]:
        """Everything the library holds for one person (made up and kept on first look)."""
        rows = self.db.execute("SELECT body, revoked FROM e_licences WHERE id_number = ? "
                               "ORDER BY rowid", (id_number,)).fetchall()
        if not rows:
            for lic in seeded_licences(id_number):
                self.db.execute(
                    "INSERT OR IGNORE INTO e_licences VALUES (?, ?, ?, ?, ?)",
                    (lic.licence_id, id_number, lic.kind,
                     json.dumps(asdict(lic), ensure_ascii=False), int(lic.revoked)))
            rows = self.db.execute("SELECT body, revoked FROM e_licences WHERE id_number = ? "
                                   "ORDER BY rowid", (id_number,)).fetchall()
        return [_licence(row[0], row[1]) for row in rows]

    def get(self, lid: str) -> Licence | None:
        row = self.db.execute("SELECT body, revoked FROM e_licences WHERE licence_id = ?",
                              (lid,)).fetchone()
        return None if row is None else _licence(row[0], row[1])

    def set_revoked(self, lid: str, revoked: bool) -> bool:
        return self.db.execute("UPDATE e_licences SET revoked = ? WHERE licence_id = ?",
                               (int(revoked), lid)).rowcount == 1


def _licence(body: str, revoked: int) -> Licence:
    data = json.loads(body)
    data["revoked"] = bool(revoked)
    return Licence(**data)
