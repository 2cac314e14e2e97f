"""The electronic-licence library's answers, checked where they enter the workstation.

``look_up`` asks the government API for a citizen's certificates and ``licence_image``
for one certificate's image; each answer is checked field by field (types, dates,
statuses, a PNG of bounded size) and anything wrong is a ``LicenceLookupError`` with a
message in Chinese for the agent, as is every failure of the call itself
(``explain``: the API down, slow, refusing, or answering nonsense).
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Any, Final

from seat_client.acceptance.gov_api_client import (
    BadAnswer,
    FieldErrors,
    GovApiClient,
    GovApiError,
    NotFound,
    RateLimited,
    TransportError,
    Unauthorized,
    Unavailable,
    UntrustedServer,
)
from seat_client.review.certificates import LICENCE_STATUSES, ElectronicLicence
from seat_common.validators import normalize_id_number

#: The largest certificate image we take (decoded bytes).
MAX_IMAGE_BYTES: Final = 8 * 1024 * 1024
MAX_LICENCES: Final = 100
_FIELDS: Final[dict[str, str]] = {
    "licence_id": "证照标识", "kind": "证照类型", "name": "证照名称", "number": "证照编号",
    "holder_name": "持证人", "issuer": "发证机关", "issued_on": "发证日期",
}


class LicenceLookupError(Exception):
    """The lookup failed; ``str()`` is the message for the agent, in Chinese."""


def explain(exc: GovApiError) -> str:
    """A failed call to the licence library in words for the agent."""
    match exc:
        case UntrustedServer():
            return "电子证照库的服务器证书未通过验证，未发送任何数据。请联系系统管理员。"
        case TransportError():
            return "连接电子证照库失败（网络中断或超时），请稍后重试。"
        case RateLimited():
            return "电子证照库请求过于频繁，请稍后重试。"
        case Unavailable():
            return f"电子证照库暂时无法使用（HTTP {exc.status}），请稍后重试。"
        case FieldErrors():
            return f"电子证照库拒绝了查询：{exc.message}"
        case Unauthorized():
            return "电子证照库拒绝了本工作站的接口凭据，请联系系统管理员。"
        case NotFound():
            return "电子证照库中没有这个证照。"
        case BadAnswer():
            return "电子证照库的答复无法识别（不是有效的 JSON 对象），请稍后重试。"
    return f"电子证照库查询失败：{exc}"


async def look_up(client: GovApiClient, id_number: str, consent_ref: str
                  ) -> tuple[ElectronicLicence, ...]:
    """The certificates the library holds for ``id_number``, checked."""
    try:
        answer = await client.e_licence_query(normalize_id_number(id_number), consent_ref)
    except GovApiError as exc:
        raise LicenceLookupError(explain(exc)) from exc
    return parse_licences(answer)


async def licence_image(client: GovApiClient, licence_id: str, consent_ref: str) -> bytes:
    """The PNG image of one certificate, checked."""
    try:
        answer = await client.e_licence_image(licence_id, consent_ref)
    except GovApiError as exc:
        raise LicenceLookupError(explain(exc)) from exc
    return parse_image(answer, licence_id)


def parse_licences(answer: dict[str, Any]) -> tuple[ElectronicLicence, ...]:
    """The ``licences`` of a query answer; ``LicenceLookupError`` naming what is wrong."""
    raw = answer.get("licences")
    if not isinstance(raw, list):
        raise LicenceLookupError("电子证照库的答复有误：缺少证照列表（licences）")
    if len(raw) > MAX_LICENCES:
        raise LicenceLookupError(f"电子证照库的答复有误：证照多达 {len(raw)} 个")
    return tuple(_licence(i + 1, entry) for i, entry in enumerate(raw))


def _licence(n: int, entry: Any) -> ElectronicLicence:
    where = f"电子证照库的答复有误：第 {n} 个证照"
    if not isinstance(entry, dict):
        raise LicenceLookupError(f"{where}不是对象")
    values: dict[str, str] = {}
    for name, label in _FIELDS.items():
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            problem = "缺少" if value is None else "格式不对："
            raise LicenceLookupError(f"{where}{problem}{label}（{name}）")
        values[name] = value.strip()
    expires = entry.get("expires_on")
    if expires is not None and not isinstance(expires, str):
        raise LicenceLookupError(f"{where}格式不对：有效期（expires_on）")
    for name, label, value in (("issued_on", "发证日期", values["issued_on"]),
                               ("expires_on", "有效期", expires or "")):
        if value and not _is_date(value):
            raise LicenceLookupError(f"{where}格式不对：{label}（{name}）应为日期")
    status = entry.get("status")
    if status not in LICENCE_STATUSES:
        raise LicenceLookupError(f"{where}状态（status）不明：{str(status)[:20]}")
    return ElectronicLicence(values["licence_id"], values["kind"], values["name"],
                             values["number"], values["holder_name"], values["issuer"],
                             values["issued_on"], expires or "", status)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def parse_image(answer: dict[str, Any], licence_id: str) -> bytes:
    """The PNG of an image answer for ``licence_id``; ``LicenceLookupError`` otherwise."""
    if answer.get("licence_id") != licence_id:
        raise LicenceLookupError("电子证照库的答复有误：返回的不是所查证照的图像")
    if answer.get("content_type") != "image/png":
        raise LicenceLookupError("电子证照库的答复有误：证照图像不是 PNG")
    data = answer.get("image_base64")
    if not isinstance(data, str) or len(data) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        raise LicenceLookupError("电子证照库的答复有误：缺少证照图像或图像过大")
    try:
        png = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise LicenceLookupError("电子证照库的答复有误：证照图像编码无效") from exc
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise LicenceLookupError("电子证照库的答复有误：证照图像不是 PNG")
    return png
