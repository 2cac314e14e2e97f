"""docs/protocol.md checked against the code: every example frame in it decodes, every
error code and upload-failure reason the code has is explained, and every message a
client may send has its row in "Errors per message". A client team writes from this
document alone, so where it and the code part, a test fails.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from seat_common import protocol
from seat_common.protocol import SENDABLE_BY, decode

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text("utf-8")


def section(title: str) -> str:
    """The text under ``title`` up to the next heading of its level or above."""
    start = DOC.index(title)
    rest = DOC[start + len(title):]
    level = len(title) - len(title.lstrip("#"))
    end = re.search(rf"^#{{2,{level}}} ", rest, re.MULTILINE)
    return rest if end is None else rest[: end.start()]


def test_every_example_frame_in_the_document_decodes() -> None:
    frames = re.findall(r"^[→←] (\{.*\})$", DOC, re.MULTILINE)
    inline = re.findall(r"`(\{\"v\":1,.*?\})`", DOC)
    assert len(frames) >= 30
    for frame in [*frames, *inline]:
        decode(frame)  # raises ProtocolError naming the field if the document is wrong
    # The catalog section's example: four frames, two of them over several lines.
    block = section("## The catalog (items, materials, reason codes)")
    example = block.split("```json\n", 1)[1].split("```", 1)[0]
    parts = re.split(r"\n(?=\{)", example.strip())
    assert [type(decode(part)).__name__ for part in parts] == [
        "FetchCatalog", "ServiceCatalog", "FetchCatalog", "ServiceCatalog"]


def test_every_error_code_and_upload_failure_is_explained() -> None:
    errors = section("## Errors\n")
    for code in get_args(protocol.ErrorCode):
        assert f"| `{code}` |" in errors, f"the Errors table lacks {code}"
    for reason in get_args(protocol.UploadFailure):
        assert f"| `{reason}` |" in errors, f"upload_failed reasons lack {reason}"


def test_every_message_a_client_sends_has_its_errors_listed() -> None:
    table = section("### Errors per message")
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    listed = {name for cell in rows for name in re.findall(r"`([a-z_]+)`", cell)}
    for message_type in SENDABLE_BY:
        assert message_type in listed, f"Errors per message lacks {message_type}"


def test_a_message_without_a_version_gets_the_error_the_document_names() -> None:
    try:
        decode('{"type": "leave_queue"}')
    except protocol.ProtocolError as exc:
        assert (exc.code, exc.field) == ("unsupported_version", "v")
        assert "without `v`" in DOC and "`unsupported_version` (`field` `v`)" in DOC
    else:
        raise AssertionError("a message without v was accepted")


def test_the_catalog_examples_show_items_and_reasons_as_the_hub_sends_them() -> None:
    from seat_common import catalog
    from seat_common.review_reasons import load_reasons
    from seat_hub.connections.catalog_desk import channel_catalog

    frames = [decode(f) for f in re.findall(r"^[→←] (\{.*\})$", DOC, re.MULTILINE)]
    block = section("## The catalog (items, materials, reason codes)")
    example = block.split("```json\n", 1)[1].split("```", 1)[0]
    frames += [decode(part) for part in re.split(r"\n(?=\{)", example.strip())]
    shown = [f for f in frames if isinstance(f, protocol.ServiceCatalog) and not f.unchanged]
    assert len(shown) == 2
    for message in shown:
        real = channel_catalog(catalog.load(), load_reasons(), message.channel)
        items = {item.code: item for item in real.items}
        assert all(items[item.code] == item for item in message.items), message.items
        assert set(message.themes) <= set(real.themes)
        assert set(message.reasons) <= set(real.reasons)
