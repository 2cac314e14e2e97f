"""Agent tokens go to the real system keyring (SecretService in the test session), never a file."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from seat_client.credentials import CredentialsError, KeyringTokenStore, check_token


def test_token_round_trips_through_the_system_keyring(tmp_path: Path) -> None:
    store = KeyringTokenStore(service=f"seat-test-{uuid.uuid4().hex[:8]}")
    assert store.get("0012") is None
    store.put("0012", "  s3cret-token  ")
    assert store.get("0012") == "s3cret-token"
    store.delete("0012")
    assert store.get("0012") is None
    store.delete("0012")  # deleting twice is fine


@pytest.mark.parametrize("bad", ["", "   ", "has space", "中文令牌", "x" * 300, "tab\there"])
def test_unusable_tokens_are_refused(bad: str) -> None:
    with pytest.raises(CredentialsError):
        check_token(bad)
