"""A Redis primary with one replica and one Sentinel of the tests' own, as a city runs its
live state (docs/deployment.md, *Redis with a replica and Sentinel*): Debian's
``redis-server`` three times on free loopback ports, each in a temporary folder, the
Sentinel being ``redis-server sentinel.conf --sentinel`` (it rewrites its own file, so the
file is in the folder). Nothing is kept on disk; ``stop`` ends the three and removes the
folders.

    rig = SentinelRig.start()
    url = rig.url()                  # redis+sentinel://127.0.0.1:SENTINEL/seat
    rig.crash_master()               # SIGKILL of the primary
    rig.wait_for_new_master()        # the Sentinel has promoted the replica: its port
    rig.stop()
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import redis
from redis_rig import START_TIMEOUT_S, RedisMissing, _free_port, _ping

#: The name the Sentinel monitors the primary under.
SERVICE = "seat"
#: Generous: the Sentinel decides after 1 s down and a vote, on a busy two-core machine.
FAILOVER_TIMEOUT_S = 60.0


class _Server:
    """One ``redis-server`` process in its own folder."""

    def __init__(self, name: str, extra: list[str], sentinel: bool = False) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix=f"seat-{name}-"))
        self.port = _free_port()
        self.log = self.directory / f"{name}.log"
        common = ["--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.directory),
                  "--logfile", str(self.log), "--daemonize", "no"]
        if sentinel:
            conf = self.directory / "sentinel.conf"
            conf.write_text("\n".join(extra) + "\n")
            argv = ["redis-server", str(conf), "--sentinel", *common]
        else:
            argv = ["redis-server", *common, "--save", "", "--appendonly", "no",
                    "--protected-mode", "yes", *extra]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if _ping(self.port):
                return
            time.sleep(0.05)  # polling a condition, with a deadline
        raise RuntimeError(f"redis-server did not start:\n{self.log.read_text(errors='replace')}"
                           if self.log.exists() else "redis-server did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        shutil.rmtree(self.directory, ignore_errors=True)


class SentinelRig:
    """A primary, its replica and a Sentinel watching them as ``SERVICE``."""

    def __init__(self, master: _Server, replica: _Server, sentinel: _Server) -> None:
        self.master = master
        self.replica = replica
        self.sentinel = sentinel

    @classmethod
    def start(cls, down_after_ms: int = 1000) -> SentinelRig:
        """Start the three; the Sentinel calls the primary down after ``down_after_ms``."""
        if shutil.which("redis-server") is None:
            raise RedisMissing("redis-server is not installed: ./scripts/setup installs"
                               " Debian's redis-server package")
        servers: list[_Server] = []
        try:
            master = _Server("master", [])
            servers.append(master)
            master.wait_ready()
            replica = _Server("replica", ["--replicaof", "127.0.0.1", str(master.port)])
            servers.append(replica)
            replica.wait_ready()
            sentinel = _Server("sentinel", [
                f"sentinel monitor {SERVICE} 127.0.0.1 {master.port} 1",
                f"sentinel down-after-milliseconds {SERVICE} {down_after_ms}",
                f"sentinel failover-timeout {SERVICE} 5000",
                f"sentinel parallel-syncs {SERVICE} 1",
            ], sentinel=True)
            servers.append(sentinel)
            sentinel.wait_ready()
            rig = cls(master, replica, sentinel)
            rig._wait_replica_linked()
            return rig
        except BaseException:
            for server in servers:
                server.stop()
            raise

    def url(self, database: int = 0) -> str:
        return f"redis+sentinel://127.0.0.1:{self.sentinel.port}/{SERVICE}/{database}"

    def master_port(self) -> int:
        """The primary's port as the Sentinel names it now."""
        with redis.Redis(port=self.sentinel.port, socket_timeout=10) as client:
            answer = client.execute_command("SENTINEL", "get-master-addr-by-name", SERVICE)
        return int(answer[1])

    def _wait_replica_linked(self) -> None:
        """Until the replica follows the primary and the Sentinel knows the replica (else it
        would have nobody to promote)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        with (redis.Redis(port=self.replica.port, socket_timeout=10) as replica,
              redis.Redis(port=self.sentinel.port, socket_timeout=10) as sentinel):
            while True:
                linked = replica.info("replication").get("master_link_status") == "up"
                known = sentinel.execute_command("SENTINEL", "replicas", SERVICE)
                if linked and known:
                    return
                assert time.monotonic() < deadline, "the replica never followed the primary"
                time.sleep(0.1)  # polling a condition, with a deadline

    def wait_replicated(self) -> None:
        """Until the replica has every write the primary has made (``WAIT 1 5000``)."""
        with redis.Redis(port=self.master.port, socket_timeout=30) as master:
            acknowledged = master.execute_command("WAIT", 1, 5000)
        assert acknowledged == 1, "the replica did not acknowledge the primary's writes"

    def crash_master(self) -> None:
        """Kill the primary with SIGKILL (as a machine failure)."""
        self.master.process.send_signal(signal.SIGKILL)
        self.master.process.wait(timeout=30)

    def wait_for_new_master(self) -> int:
        """Until the Sentinel names the replica as the primary, and no longer calls it down,
        in ``SENTINEL MASTER`` (what redis-py's clients ask; ``get-master-addr-by-name``
        names the replica a moment earlier, while the failover is still in progress, when
        clients are still told there is no primary); its port."""
        deadline = time.monotonic() + FAILOVER_TIMEOUT_S
        while True:
            try:
                with redis.Redis(port=self.sentinel.port, socket_timeout=10,
                                 decode_responses=True) as client:
                    named = client.execute_command("SENTINEL", "get-master-addr-by-name",
                                                   SERVICE)
                    fields = client.execute_command("SENTINEL", "MASTER", SERVICE)
                if (int(named[1]) == self.replica.port == int(fields["port"])
                        and fields["flags"] == "master"):
                    return self.replica.port
            except redis.RedisError:
                pass
            assert time.monotonic() < deadline, (
                "the Sentinel never promoted the replica:\n"
                + self.sentinel.log.read_text(errors="replace"))
            time.sleep(0.1)  # polling a condition, with a deadline

    def stop(self) -> None:
        for server in (self.sentinel, self.replica, self.master):
            server.stop()
