"""Faults the government-API sandbox injects on demand, so tests can drill bad networks.

A ``Fault`` applies to requests whose path starts with ``path_prefix``
(``/v1/`` by default, so the token endpoint stays healthy unless asked),
to the next ``count`` of them (or all, with no count), each with
probability ``rate``. Kinds:

- ``latency``: wait ``ms`` before handling.
- ``error``: answer ``status`` (500, 502, 503 or 504) without handling; ``retry_after``
  adds the header.
- ``reject``: answer a client error ``status`` (400, 403 or 404; 400 by default) without
  handling, as a gateway in front of the API does with a request it will never take.
- ``rate_limit``: answer 429 with ``Retry-After: retry_after``.
- ``drop``: close the connection, ``phase=before`` handling or ``after`` it (the
  request took effect but its answer is lost: the case idempotency keys exist for).
- ``slow_body``: send the answer's body in pieces over ``ms``.
- ``expire_token``: the caller's token expires just before handling (mid-run expiry).

From the command line: ``--fault error:status=503,count=2`` or
``--fault latency:ms=50``; over HTTP: ``POST /admin/faults`` with the same
fields as JSON.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast, get_args

FaultKind = Literal["latency", "error", "reject", "rate_limit", "drop", "slow_body",
                    "expire_token"]
DropPhase = Literal["before", "after"]


class FaultSpecError(ValueError):
    """A fault description that cannot be used."""


@dataclass
class Fault:
    kind: FaultKind
    count: int | None = None
    rate: float = 1.0
    ms: int = 0
    status: int = 503
    retry_after: int | None = None
    phase: DropPhase = "after"
    path_prefix: str = "/v1/"

    def describe(self) -> dict[str, Any]:
        return asdict(self)


def parse_fault(raw: dict[str, Any]) -> Fault:
    """A fault from JSON-like data, checked."""
    kind = raw.get("kind")
    if kind not in get_args(FaultKind):
        raise FaultSpecError(f"kind must be one of {get_args(FaultKind)}")
    unknown = set(raw) - set(Fault.__dataclass_fields__)
    if unknown:
        raise FaultSpecError(f"unknown fault fields: {sorted(unknown)}")
    try:
        fault = Fault(
            kind=cast(FaultKind, kind),
            count=None if raw.get("count") is None else int(raw["count"]),
            rate=float(raw.get("rate", 1.0)),
            ms=int(raw.get("ms", 0)),
            status=int(raw.get("status", 400 if kind == "reject" else 503)),
            retry_after=None if raw.get("retry_after") is None else int(raw["retry_after"]),
            phase=cast(DropPhase, raw.get("phase", "after")),
            path_prefix=str(raw.get("path_prefix", "/v1/")),
        )
    except (TypeError, ValueError) as exc:
        raise FaultSpecError(str(exc)) from exc
    if fault.phase not in get_args(DropPhase):
        raise FaultSpecError("phase must be before or after")
    bad_count = fault.count is not None and fault.count < 1
    if not 0.0 <= fault.rate <= 1.0 or fault.ms < 0 or bad_count:
        raise FaultSpecError("rate is 0..1, ms ≥ 0, count ≥ 1")
    if fault.kind == "error" and fault.status not in (500, 502, 503, 504):
        raise FaultSpecError("an error fault answers 500, 502, 503 or 504")
    if fault.kind == "reject" and fault.status not in (400, 403, 404):
        raise FaultSpecError("a reject fault answers 400, 403 or 404")
    if fault.kind == "rate_limit" and fault.retry_after is None:
        fault.retry_after = 1
    return fault


def parse_fault_arg(text: str) -> Fault:
    """``kind[:name=value,...]`` from the command line."""
    kind, _, rest = text.partition(":")
    raw: dict[str, Any] = {"kind": kind.strip()}
    for part in filter(None, rest.split(",")):
        name, sep, value = part.partition("=")
        if not sep:
            raise FaultSpecError(f"expected name=value in {part!r}")
        raw[name.strip()] = value.strip()
    return parse_fault(raw)


class FaultBoard:
    """The faults in force; ``take`` picks those that hit one request and counts them down."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.faults: list[Fault] = []
        self._rng = rng or random.Random()

    def add(self, fault: Fault) -> None:
        self.faults.append(fault)

    def clear(self) -> None:
        self.faults.clear()

    def take(self, path: str) -> list[Fault]:
        hits = []
        for fault in list(self.faults):
            if not path.startswith(fault.path_prefix):
                continue
            if fault.rate < 1.0 and self._rng.random() >= fault.rate:
                continue
            hits.append(fault)
            if fault.count is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
        return hits
