"""What the launchers of our stand-in servers share: waiting for a server's "listening" line.

A server started on port 0 prints one line naming its address once it
listens (``seat-hub listening on ws://…``, ``seat-gov-api listening on
http://…``). ``read_listening_line`` waits for it with a deadline, without
blocking forever on a silent or dead process.
"""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import time
from collections.abc import Callable


def read_listening_line(
    proc: subprocess.Popen[bytes],
    pattern: re.Pattern[str],
    timeout_s: float,
    failure: Callable[[str], Exception],
) -> str:
    """The address captured by ``pattern`` from the first stdout line; ``failure(why)`` if not."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout_s
    buffer = b""
    fd = proc.stdout.fileno()
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise failure("did not start in time")
            if not selector.select(min(left, 0.1)):
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                proc.wait(5)
                raise failure(f"exited with code {proc.returncode}")
            buffer += chunk
    line = buffer.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip()
    match = pattern.match(line)
    if match is None:
        raise failure(f"printed {line!r} instead of the listening line")
    return match.group(1)
