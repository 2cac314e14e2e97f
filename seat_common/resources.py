"""Where the data files the programs read at run time live: catalog, forms, reasons, style,
translations.

They sit in the repository's ``resources/`` folder beside the packages. Every module finds
them through ``resource_path``, so moving them (into the packages, for wheels) changes
this one module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

RESOURCES_DIR: Final = Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """The path of a file or folder under ``resources/``."""
    return RESOURCES_DIR.joinpath(*parts)
