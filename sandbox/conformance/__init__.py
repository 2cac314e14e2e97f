"""The conformance kit: a scripted agent that plays the other side of a call against a
third-party citizen or kiosk client and reports, step by step, what the client did
right and wrong, naming the section of ``docs/protocol.md`` for every failure.

``ConformanceAgent`` (``agent``) logs in to a hub as an agent seat and serves calls;
``ConformanceReport`` (``report``) is what it found; ``seat-conformance`` (``cli``) is
the command client teams run, and ``seat-hub --sandbox`` (``sandbox.test_hub``) starts a
hub with this agent answering.
"""

from sandbox.conformance.agent import AgentScript, ConformanceAgent
from sandbox.conformance.report import ConformanceReport, Outcome, Step, StepResult

__all__ = [
    "AgentScript",
    "ConformanceAgent",
    "ConformanceReport",
    "Outcome",
    "Step",
    "StepResult",
]
