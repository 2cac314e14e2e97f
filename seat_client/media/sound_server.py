"""Which sound devices exist right now, as the sound server itself says.

On Linux the devices Qt Multimedia lists come from PulseAudio (or PipeWire's PulseAudio
service). Qt 6.11 adds a device that appears but never drops one that goes: a headset
pulled out stays listed, the sound server quietly moves its streams to the default
device, and nobody is told. ``live_devices`` asks the server directly (``pulsectl``,
over libpulse) for the names of its outputs and inputs; they are the ids Qt uses, so
the device registry keeps only what is really there. Monitor sources (a recording of
an output) are left out, as Qt leaves them out.

On a machine with no such server (Windows, macOS, or no sound at all) it returns None
and Qt's own list stands.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveDevices:
    """The names of the outputs (sinks) and inputs (sources) the server has now."""

    outputs: frozenset[str]
    inputs: frozenset[str]


class SoundServer:
    """A connection to the sound server, made when first needed and remade after a failure."""

    def __init__(self) -> None:
        self._pulse: Any = None
        self._unavailable = False

    def live_devices(self) -> LiveDevices | None:
        """What the server has now; None where there is no PulseAudio-style server."""
        if self._unavailable:
            return None
        try:
            import pulsectl
        except (ImportError, OSError) as exc:  # no libpulse: not a PulseAudio machine
            log.info("no sound server to ask about devices: %s", exc)
            self._unavailable = True
            return None
        try:
            if self._pulse is None:
                self._pulse = pulsectl.Pulse("seat-devices", connect=False)
                self._pulse.connect(timeout=1.0)
            outputs = frozenset(sink.name for sink in self._pulse.sink_list())
            inputs = frozenset(source.name for source in self._pulse.source_list()
                               if source.monitor_of_sink == 0xFFFFFFFF)
        except pulsectl.PulseError as exc:
            log.info("the sound server did not answer: %s", exc)
            self.close()
            return None
        return LiveDevices(outputs, inputs)

    def close(self) -> None:
        pulse, self._pulse = self._pulse, None
        if pulse is not None:
            pulse.close()
