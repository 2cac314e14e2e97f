"""A counter PC's sound hardware, stood in by a private PulseAudio: a speaker, a microphone,
an ear on the speaker and a mouth at the microphone.

A machine with no sound card (this one, CI) still runs a real sound server: ``SoundRig``
starts ``pulseaudio`` in a private runtime directory with null sinks as devices. Qt
Multimedia then lists real devices and plays and records through them:

- ``speaker``: an output. The **ear** (``parec`` on ``speaker.monitor``) hears what the
  workstation plays, each block stamped with when it arrived.
- ``mic``: an input (a remap of ``micfeed.monitor``: Qt hides monitor sources). The
  **mouth** (``pacat`` into ``micfeed``) speaks into it: silence, or what ``say`` queued.

More of each come and go with ``add_speaker``, ``add_microphone`` and ``remove``
(PulseAudio tells Qt, as it would of a headset plugged in or pulled out).

A null sink with no low-latency stream on it renders in blocks of up to two seconds and
then keeps whatever delay it started with (measured: 30 ms or 1 s for the same stream,
by luck). The ear and the mouth are such streams, started before anything else plays,
so every device runs at a low latency from its first sample.

Clocks: PulseAudio and ``time.monotonic`` share CLOCK_MONOTONIC. A sample the ear
heard is dated from the earliest arrival seen (``arrival − samples before it / rate``
is at least the true time; its minimum is the best estimate), so scheduling noise in
this process does not move the dates.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

RATE: Final = 48_000
#: The ear reads and the mouth writes in blocks this long (5 ms).
BLOCK: Final = 240
Samples = npt.NDArray[np.int16]
#: fcntl's F_SETPIPE_SZ (Linux; Python 3.11's fcntl lacks the name on some builds)
_F_SETPIPE_SZ: Final = getattr(fcntl, "F_SETPIPE_SZ", 1031)


def available() -> bool:
    """Whether this machine has PulseAudio's server and tools."""
    return all(shutil.which(tool) for tool in ("pulseaudio", "pactl", "parec", "pacat"))


@dataclass
class _Device:
    modules: list[str] = field(default_factory=list)


class SoundRig:
    """A private PulseAudio with stand-in devices. ``start`` it, hand ``env`` to Qt
    (``PULSE_SERVER``), ``stop`` it at the end. Its ears keep the last ``keep_s`` seconds
    they heard."""

    def __init__(self, directory: Path, keep_s: float = 30.0) -> None:
        self.directory = directory
        self.keep_s = keep_s
        self.runtime = directory / "pulse-runtime"
        self.server = f"unix:{self.runtime / 'pulse' / 'native'}"
        self._process_env = {**os.environ, "XDG_RUNTIME_DIR": str(self.runtime),
                             "HOME": str(directory), "PULSE_SERVER": self.server}
        self._devices: dict[str, _Device] = {}
        self._ears: tuple[Ear, Ear] | None = None
        self._mouth: Mouth | None = None

    @property
    def env(self) -> dict[str, str]:
        """What a sound client needs to find this server."""
        return {"PULSE_SERVER": self.server}

    def start(self) -> SoundRig:
        self.runtime.mkdir(parents=True, exist_ok=True)
        self.runtime.chmod(0o700)
        subprocess.run(
            ["pulseaudio", "-n", "--daemonize=yes", "--exit-idle-time=-1",
             "--disallow-exit", "--log-target=file:" + str(self.directory / "pulse.log"),
             "-L", "module-native-protocol-unix"],
            env=self._process_env, check=True, capture_output=True, timeout=30,
        )
        deadline = time.monotonic() + 20
        while subprocess.run(["pactl", "info"], env=self._process_env,
                             capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PulseAudio did not start (see {self.directory}/pulse.log)")
            time.sleep(0.05)
        self.add_speaker("speaker")
        self.add_microphone("mic")
        self.pactl("set-default-sink", "speaker")
        self.pactl("set-default-source", "mic")
        self._ears = (Ear(self._process_env, "speaker.monitor", self.keep_s),
                      Ear(self._process_env, "micfeed.monitor", self.keep_s))
        self._mouth = Mouth(self._process_env, "micfeed")
        return self

    @property
    def speaker_ear(self) -> Ear:
        """Hears what is played on ``speaker``."""
        assert self._ears is not None, "start the rig first"
        return self._ears[0]

    @property
    def mic_ear(self) -> Ear:
        """Hears what reaches ``mic`` (the mouth's sink's monitor)."""
        assert self._ears is not None, "start the rig first"
        return self._ears[1]

    @property
    def mouth(self) -> Mouth:
        """Speaks into ``mic``."""
        assert self._mouth is not None, "start the rig first"
        return self._mouth

    def stop(self) -> None:
        for part in (*(self._ears or ()), self._mouth):
            if part is not None:
                part.close()
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            subprocess.run(["pulseaudio", "--kill"], env=self._process_env,
                           capture_output=True, timeout=10)

    # --- devices ------------------------------------------------------------------

    def pactl(self, *args: str) -> str:
        done = subprocess.run(["pactl", *args], env=self._process_env, capture_output=True,
                              text=True, timeout=10)
        if done.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout.strip()

    def add_speaker(self, name: str, description: str = "") -> None:
        """An output called ``name`` (its monitor records what is played on it)."""
        props = _properties(description or name)
        module = self.pactl("load-module", "module-null-sink", f"sink_name={name}",
                            f"rate={RATE}", "channels=1", f"sink_properties={props}")
        self._devices[name] = _Device([module])

    def add_microphone(self, name: str, description: str = "") -> None:
        """An input called ``name``; what is played into ``<name>feed`` comes out of it."""
        feed = f"{name}feed"
        sink = self.pactl("load-module", "module-null-sink", f"sink_name={feed}",
                          f"rate={RATE}", "channels=1",
                          f"sink_properties={_properties(feed)}")
        props = _properties(description or name)
        remap = self.pactl("load-module", "module-remap-source", f"master={feed}.monitor",
                           f"source_name={name}", f"source_properties={props}")
        self._devices[name] = _Device([remap, sink])

    @property
    def devices(self) -> frozenset[str]:
        """The devices added so far and not removed."""
        return frozenset(self._devices)

    def remove(self, name: str) -> None:
        """Pull the device out (as a USB headset would be)."""
        for module in self._devices.pop(name).modules:
            self.pactl("unload-module", module)

    def mouth_into(self, name: str, room_dbfs: float | None = -60.0) -> Mouth:
        """A mouth speaking into microphone ``name`` (close it when done)."""
        return Mouth(self._process_env, f"{name}feed", room_dbfs)


def _properties(description: str) -> str:
    """A device description as PulseAudio's module arguments take it, spaces and all."""
    clean = description.replace("'", "").replace('"', "")
    return f"'device.description=\"{clean}\"'"


class Ear:
    """Records a source continuously and keeps the last ``keep_s`` seconds, each sample
    dated (monotonic time)."""

    def __init__(self, env: dict[str, str], source: str, keep_s: float = 30.0) -> None:
        self._keep = max(int(keep_s * RATE), BLOCK)
        self._lock = threading.Lock()
        #: a ring: sample ``i`` (counted from the first heard) is at ``i % keep`` while kept
        self._ring: Samples = np.zeros(self._keep, np.int16)
        self._total = 0
        #: per block read: the index just past its last sample, and when it arrived
        self._ends: deque[int] = deque(maxlen=self._keep // BLOCK)
        self._arrivals: deque[float] = deque(maxlen=self._keep // BLOCK)
        self._process = subprocess.Popen(
            ["parec", "-d", source, "--raw", "--format=s16le", f"--rate={RATE}",
             "--channels=1", "--latency-msec=10"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self._thread = threading.Thread(target=self._read, name=f"ear-{source}", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        total = 0
        while True:
            block = self._process.stdout.read(BLOCK * 2)
            if not block:
                return
            arrived = time.monotonic()
            samples = np.frombuffer(block, np.int16)
            with self._lock:
                at = total % self._keep
                first = min(samples.size, self._keep - at)
                self._ring[at : at + first] = samples[:first]
                self._ring[: samples.size - first] = samples[first:]
                total += samples.size
                self._total = total
                self._ends.append(total)
                self._arrivals.append(arrived)

    def time_of(self, index: int) -> float | None:
        """When sample ``index`` (counted from the first heard) was at the source.

        Each block read after it arrived at least as late as the sample plus the audio
        between them; the earliest such bound over the next half second is the date
        (a stall before or after moves it by no more than the reads' own delay).
        """
        with self._lock:
            ends = np.fromiter(self._ends, np.int64, len(self._ends))
            arrivals = np.fromiter(self._arrivals, np.float64, len(self._arrivals))
        later = (ends > index) & (ends <= index + RATE // 2)
        if not later.any():
            return None
        return float(np.min(arrivals[later] - (ends[later] - index) / RATE))

    def index_at(self, moment: float) -> int:
        """The index of the sample heard at about ``moment`` (monotonic)."""
        with self._lock:
            if not self._ends:
                return 0
            end, arrived = self._ends[-1], self._arrivals[-1]
        return max(0, end - round((arrived - moment) * RATE))

    def samples_from(self, index: int) -> Samples:
        """What was heard from sample ``index`` on (as much as is still kept)."""
        with self._lock:
            start = max(index, self._total - self._keep, 0)
            if start >= self._total:
                return np.zeros(0, np.int16)
            at, end = start % self._keep, (self._total - 1) % self._keep + 1
            if at < end:
                return self._ring[at:end].copy()
            return np.concatenate((self._ring[at:], self._ring[:end]))

    def kept_since(self, moment: float) -> bool:
        """Whether what was heard at ``moment`` (monotonic) is still kept."""
        with self._lock:
            oldest = self._total - self._keep
        return self.index_at(moment) >= oldest

    def onset(self, since: float, threshold: float = 0.05,
              frequency_hz: float | None = None) -> float | None:
        """When a sound louder than ``threshold`` (of full scale) began, at or after
        ``since``; with ``frequency_hz``, a sound with that tone in it."""
        if not self.kept_since(since):
            return None  # too long ago: a burst half forgotten would start in the middle
        first = self.index_at(since)
        samples = self.samples_from(first)
        found = find_onset(samples, threshold, frequency_hz)
        if found is None:
            return None
        return self.time_of(first + found)

    def close(self) -> None:
        self._process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=5)


def find_onset(samples: Samples, threshold: float = 0.05,
               frequency_hz: float | None = None) -> int | None:
    """The index where a sound louder than ``threshold`` begins (1 ms windows); with
    ``frequency_hz``, where a 5 ms window first holds that tone above the threshold."""
    if frequency_hz is None:
        loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold * 32767)
        return int(loud[0]) if loud.size else None
    window = RATE // 200
    t = np.arange(window) / RATE
    probe = np.exp(-2j * np.pi * frequency_hz * t)
    for start in range(0, samples.size - window + 1, window // 2):
        chunk = samples[start : start + window].astype(np.float64) / 32767
        amplitude = 2 * abs(np.dot(chunk, probe)) / window
        if amplitude > threshold:
            loud = np.flatnonzero(np.abs(chunk) > threshold)
            return start + int(loud[0]) if loud.size else start
    return None


@dataclass
class _Utterance:
    samples: Samples
    at: float = 0.0
    written: threading.Event = field(default_factory=threading.Event)


class Mouth:
    """Plays into a sink continuously: a quiet room (noise at ``room_dbfs``; None for
    digital silence, a dead microphone), or the samples ``say`` queued, over it.

    Writes block on a short pipe (about 40 ms), so the sink's own pace sets the mouth's:
    a stalled sink cannot pile up delay. When a sound reached the microphone is read off
    the sink's monitor (``SoundRig.mic_ear``), not guessed from when it was written.
    """

    def __init__(self, env: dict[str, str], sink: str, room_dbfs: float | None = -60.0) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Utterance] = []
        self._room = 0.0 if room_dbfs is None else 32767 * 10 ** (room_dbfs / 20)
        self._closed = threading.Event()
        self._process = subprocess.Popen(
            ["pacat", "-p", "-d", sink, "--raw", "--format=s16le", f"--rate={RATE}",
             "--channels=1", "--latency-msec=10"],
            env=env, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        assert self._process.stdin is not None
        with contextlib.suppress(OSError):  # Linux: the smallest pipe, one page
            fcntl.fcntl(self._process.stdin.fileno(), _F_SETPIPE_SZ, 4096)
        self._thread = threading.Thread(target=self._write, name=f"mouth-{sink}", daemon=True)
        self._thread.start()

    def say(self, samples: Samples) -> float:
        """Queue ``samples`` (mono, 48 kHz); returns when their first block was written
        (monotonic), once it has been."""
        utterance = _Utterance(samples.astype(np.int16))
        with self._lock:
            self._queue.append(utterance)
        if not utterance.written.wait(timeout=10):
            raise RuntimeError("the mouth is not speaking (pacat ended?)")
        return utterance.at

    def _write(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        rng = np.random.default_rng(1)
        current: Samples | None = None
        offset = 0
        while not self._closed.is_set():
            room = np.round(rng.standard_normal(BLOCK) * self._room / 3).astype(np.int16)
            if current is None:
                with self._lock:
                    utterance = self._queue.pop(0) if self._queue else None
                if utterance is not None:
                    current, offset = utterance.samples, 0
                    utterance.at = time.monotonic()
                    utterance.written.set()
            if current is not None:
                block = current[offset : offset + BLOCK]
                offset += BLOCK
                if offset >= current.size:
                    current = None
                room[: block.size] = np.clip(room[: block.size] + block.astype(np.int32),
                                             -32768, 32767)
            data = room.tobytes()
            try:
                stdin.write(data)
                stdin.flush()
            except (BrokenPipeError, ValueError):
                return

    def close(self) -> None:
        self._closed.set()
        self._process.terminate()
        self._thread.join(timeout=5)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=5)


def tone_burst(frequency_hz: float, seconds: float, amplitude: float = 0.3) -> Samples:
    """A sine burst with 2 ms ramps (no click), mono 48 kHz int16."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    wave = np.sin(2 * np.pi * frequency_hz * t) * amplitude
    ramp = min(n // 2, int(0.002 * RATE))
    if ramp:
        wave[:ramp] *= np.linspace(0, 1, ramp)
        wave[-ramp:] *= np.linspace(1, 0, ramp)
    return np.round(wave * 32767).astype(np.int16)
