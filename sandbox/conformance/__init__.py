"""The conformance kit: a scripted agent that plays the other side of a call against a
third-party citizen or kiosk client and reports, step by step, what the client did
right and wrong, naming the section of ``docs/protocol.md`` for every failure.

``ConformanceAgent`` (``agent``) logs in to a hub as an agent seat and serves calls, told
how long to wait and what to require by an ``AgentScript`` (``script``), checking the
media (``media_checks``) and the optional features (``feature_checks``);
``ConformanceReport`` (``report``) is what it found; ``seat-conformance`` (``cli``) is
the command client teams run, and ``seat-hub --sandbox`` (``sandbox.test_hub``) starts a
hub with this agent answering.
"""

from sandbox.conformance.agent import ConformanceAgent
from sandbox.conformance.report import ConformanceReport, Outcome, Step, StepResult
from sandbox.conformance.script import AgentScript

__all__ = [
    "AgentScript",
    "ConformanceAgent",
    "ConformanceReport",
    "Outcome",
    "Step",
    "StepResult",
]
