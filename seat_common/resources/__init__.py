"""The data files the programs read at run time: catalog, forms, regions, review reasons,
OpenAPI document, style sheet, translations and the font with Chinese glyphs.

They ship inside this package (``seat_common/resources/``, declared as package data in
setup.cfg), so a wheel installed anywhere carries them, and every module finds them here
through ``importlib.resources``, never through a path relative to a checkout. The
translations' ``.ts`` files are the source; the ``.qm`` files beside them are built by
scripts/setup and scripts/package (Qt's lrelease) before a wheel is made.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Final


def _package_dir() -> Path:
    root = files(__name__)
    # Wheels, editable checkouts and PyInstaller folders all unpack the package onto the file
    # system; Qt's loaders (style sheet, translators) need a real path, so say so plainly if an
    # unusual importer (a zip) ever hands us something else.
    if not isinstance(root, Path):
        raise RuntimeError(f"Seat 的资源文件不在文件系统上（{root!r}），请用 wheel 正常安装")
    return root


RESOURCES_DIR: Final = _package_dir()


def resource_path(*parts: str) -> Path:
    """The path of a file or folder under ``seat_common/resources/``."""
    return RESOURCES_DIR.joinpath(*parts)


#: WenQuanYi Micro Hei (Apache-2.0, fonts/README.md): the PDFs embed it, the UI registers it.
CJK_FONT_PATH: Final = resource_path("fonts", "wqy-microhei.ttc")
