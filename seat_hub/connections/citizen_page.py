"""The citizen web page the hub serves over HTTP beside its websocket (the web channel).

Static files from ``seat_hub/web/`` (the page, its script and style) and
``items.json``: the catalog items offered on the web channel with their
materials and the first letters of the name's pinyin (``initials``, e.g. "sybx…" for
失业保险…, so "sy" finds it), for the item picker and the checklist; ``reasons.json``: the
pre-review reason names, to show a verdict. Only these paths are served; anything else is a 404. The
page itself speaks protocol v1 over ``/ws`` like every other client.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from importlib.resources import files
from pathlib import Path
from typing import Final

from websockets.datastructures import Headers
from websockets.http11 import Response

from seat_common.catalog import Catalog
from seat_common.pinyin import pinyin_initials
from seat_common.review_reasons import REASONS_PATH, ReasonsError, load_reasons

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
        items = [
            {"code": item.code, "name": item.name,
             "initials": pinyin_initials(item.name),
             "theme": item.theme, "theme_name": catalog.themes[item.theme].name,
             "materials": [{"code": m.code, "name": m.name, "required": m.required}
                           for m in item.materials]}
            for item in sorted(catalog.items.values(), key=lambda i: (i.theme, i.code))
            if "web" in item.channels
        ]
        self._files["/reasons.json"] = (_reasons(reasons_path), CONTENT_TYPES[".json"])
        self._files["/items.json"] = (
            json.dumps(items, ensure_ascii=False).encode("utf-8"), CONTENT_TYPES[".json"]
        )

    def paths(self) -> list[str]:
        return sorted(self._files)

    def respond(self, path: str) -> Response:
        """The response for GET ``path`` (without the query string)."""
        found = self._files.get(path)
        if found is None:
            body = b"Not found\n"
            headers = Headers({"Content-Type": "text/plain; charset=utf-8"})
            headers["Content-Length"] = str(len(body))
            return Response(HTTPStatus.NOT_FOUND.value, "Not Found", headers, body)
        body, kind = found
        headers = Headers({"Content-Type": kind, **SECURITY_HEADERS})
        headers["Content-Length"] = str(len(body))
        return Response(HTTPStatus.OK.value, "OK", headers, body)


def _reasons(path: Path) -> bytes:
    """``[{"code", "name"}]`` from the review-reasons file; empty if it is missing or wrong
    (the hub refuses to start with a wrong one, so only a page built apart sees that)."""
    try:
        reasons = [{"code": r.code, "name": r.name} for r in load_reasons(path)]
    except ReasonsError:
        reasons = []
    return json.dumps(reasons, ensure_ascii=False).encode("utf-8")
