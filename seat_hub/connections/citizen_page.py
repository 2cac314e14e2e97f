"""The citizen web page the hub serves over HTTP beside its websocket (the web channel, and
the official account's: the same page opened as ``/?channel=oa`` from the 公众号 menu).

Static files from ``seat_hub/web/`` (the page, its script and style) and
``items.json``: the catalog items offered on the page's channel (``items.json?channel=oa``
for the official account's) with their materials, whether they are high-frequency
(``frequent``) and the first letters of the name's pinyin (``initials``, e.g. "sybx…" for
失业保险…, so "sy" finds it), for the item picker and the checklist; ``reasons.json``: the
pre-review reason names, to show a verdict. Only these paths are served; anything else is a
404. A ``channel`` the page does not know is a 400 with a Chinese page saying so, never a
silent fall-back to the web channel: the figures count each entry separately. The page
itself speaks protocol v1 over ``/ws`` like every other client and joins on the channel
its address named.
"""

from __future__ import annotations

import html
import json
from http import HTTPStatus
from importlib.resources import files
from pathlib import Path
from typing import Final
from urllib.parse import parse_qs

from websockets.datastructures import Headers
from websockets.http11 import Response

from seat_common.catalog import Catalog
from seat_common.item_search import pinyin_initials
from seat_common.protocol import Channel
from seat_common.review_reasons import REASONS_PATH, ReasonsError, load_reasons

#: ``?channel=`` values the page takes, and the wire channel each joins on (none: web).
PAGE_CHANNELS: Final[dict[str, Channel]] = {"web": "web", "oa": "official_account"}
#: The paths whose answer depends on ``?channel=``.
CHANNEL_PATHS: Final = ("/", "/index.html", "/items.json")
#: the page's files: package data of seat_hub (setup.cfg), wherever the wheel is installed
WEB_DIR: Final = Path(str(files("seat_hub") / "web"))
CONTENT_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
}
#: Browsers must not guess types or frame the page elsewhere; the page loads only its own files.
SECURITY_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; media-src 'self' blob: mediastream:; "
        "connect-src 'self' ws: wss:; img-src 'self' blob: data:"
    ),
    "Cache-Control": "no-cache",
}


class CitizenPage:
    """Answers the HTTP GETs of the citizen page; built once, files read at start."""

    def __init__(
        self, catalog: Catalog, web_dir: Path = WEB_DIR, reasons_path: Path = REASONS_PATH
    ) -> None:
        self._files: dict[str, tuple[bytes, str]] = {}
        for path in sorted(web_dir.iterdir()):
            kind = CONTENT_TYPES.get(path.suffix)
            if path.is_file() and kind is not None:
                self._files[f"/{path.name}"] = (path.read_bytes(), kind)
        if "/index.html" in self._files:
            self._files["/"] = self._files["/index.html"]
        self._files["/reasons.json"] = (_reasons(reasons_path), CONTENT_TYPES[".json"])
        self._items = {name: (_items(catalog, channel), CONTENT_TYPES[".json"])
                       for name, channel in PAGE_CHANNELS.items()}

    def paths(self) -> list[str]:
        return sorted([*self._files, "/items.json"])

    def respond(self, path: str, query: str = "") -> Response:
        """The response for GET ``path`` with its ``query`` string (without the "?")."""
        found = self._files.get(path)
        if path in CHANNEL_PATHS:
            asked = parse_qs(query, keep_blank_values=True).get("channel", ["web"])
            if len(asked) != 1 or asked[0] not in PAGE_CHANNELS:
                return _unknown_channel(asked)
            if path == "/items.json":
                found = self._items[asked[0]]
        if found is None:
            body = b"Not found\n"
            headers = Headers({"Content-Type": "text/plain; charset=utf-8"})
            headers["Content-Length"] = str(len(body))
            return Response(HTTPStatus.NOT_FOUND.value, "Not Found", headers, body)
        body, kind = found
        headers = Headers({"Content-Type": kind, **SECURITY_HEADERS})
        headers["Content-Length"] = str(len(body))
        return Response(HTTPStatus.OK.value, "OK", headers, body)


def _items(catalog: Catalog, channel: Channel) -> bytes:
    """``items.json`` for ``channel``: its items by theme, then code."""
    items = [
        {"code": item.code, "name": item.name,
         "initials": pinyin_initials(item.name), "frequent": item.frequent,
         "theme": item.theme, "theme_name": catalog.themes[item.theme].name,
         "materials": [{"code": m.code, "name": m.name, "required": m.required}
                       for m in item.materials]}
        for item in sorted(catalog.items.values(), key=lambda i: (i.theme, i.code))
        if channel in item.channels
    ]
    return json.dumps(items, ensure_ascii=False).encode("utf-8")


def _unknown_channel(asked: list[str]) -> Response:
    """400: the address names an entry the page does not have (a mistyped or stale link)."""
    given = "、".join(html.escape(a[:40]) for a in asked)
    known = "；".join(f"channel={name}" for name in PAGE_CHANNELS)
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>入口地址有误 · 视频办</title><link rel="stylesheet" href="/style.css"></head>'
        "<body><header><h1>视频办</h1></header><main><section>"
        f'<h2>入口地址有误</h2><p role="alert">地址中的渠道“{given}”无法识别，无法为您排队。</p>'
        "<p>请从广东政务服务网或“莞家政务”公众号的视频办入口重新进入，或点下面的入口：</p>"
        '<p><a href="/">网页入口</a>　<a href="/?channel=oa">公众号入口</a></p>'
        f'<p class="hint">可用的渠道：{known}。</p></section></main></body></html>'
    ).encode()
    headers = Headers({"Content-Type": CONTENT_TYPES[".html"], **SECURITY_HEADERS})
    headers["Content-Length"] = str(len(body))
    return Response(HTTPStatus.BAD_REQUEST.value, "Bad Request", headers, body)


def _reasons(path: Path) -> bytes:
    """``[{"code", "name"}]`` from the review-reasons file; empty if it is missing or wrong
    (the hub refuses to start with a wrong one, so only a page built apart sees that)."""
    try:
        reasons = [{"code": r.code, "name": r.name} for r in load_reasons(path)]
    except ReasonsError:
        reasons = []
    return json.dumps(reasons, ensure_ascii=False).encode("utf-8")
