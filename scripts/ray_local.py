"""Start a Ray head node (``ray start --head --block``) that only loopback can reach, and join it from
this process — what the Ray test and the ingestion benchmark use in place of a cluster.

    python scripts/ray_local.py PORT      # runs until interrupted, prints the address and the token

Two things of Ray 2.60 make a plain ``ray start --head --node-ip-address=127.0.0.1`` plus
``ray.init(address="127.0.0.1:PORT")`` fail at random on a machine with a network interface:

- **the address is rewritten**: Ray turns a loopback host, in ``--node-ip-address`` as in the address a
  driver is given, into the machine's routable address (``services.resolve_ip_for_localhost``), so the
  driver dials 192.0.2.2:PORT, not 127.0.0.1:PORT. Only ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` (Ray's
  « single machine, no cluster » switch, read when ``ray`` is imported) keeps 127.0.0.1;
- **token authentication depends on a file in $HOME**: ``ray start`` with ``RAY_AUTH_MODE`` unset turns
  token auth on when ``~/.ray/auth_token`` exists — and any earlier ``ray.init()`` that started a local
  cluster wrote one — while a driver given an explicit address never turns it on: the driver sends no
  token and the GCS answers « InvalidAuthToken ». Here the mode is always set (``token``) with a token
  of the head's own (``RAY_AUTH_TOKEN``), given to the head, its workers and the driver alike; the
  file in $HOME is neither read nor written.

The head is stopped by its pid (``--block``: it stops its raylet and GCS with it); whatever is still
running with the head's own temp dir on its command line is then stopped by pid too — ``ray stop``
cannot be scoped (it stops every Ray process of the machine), so it is not used.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

READY_TIMEOUT = 120.0       # seconds; `ray start` answers in about 4 s here
LOOPBACK = "127.0.0.1"
# every process of the head and the driver: loopback only, no usage report, token auth with our token
BASE_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token"}


def ray_executable() -> Path:
    return Path(sys.executable).parent / "ray"


@dataclass
class LocalRay:
    process: subprocess.Popen
    address: str
    temp_dir: Path
    log: Path
    env: dict = field(repr=False)       # what a driver needs in its environment to join

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def leftovers(self) -> list[int]:
        """Pids of processes whose command line names this head's temp dir (its raylet, GCS, workers)."""
        mark, out = str(self.temp_dir).encode(), []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                try:
                    if mark in (entry / "cmdline").read_bytes():
                        out.append(int(entry.name))
                except OSError:     # gone meanwhile, or not ours to read
                    pass
        return out

    def listening(self) -> set[str]:
        """The addresses (ip:port) the head's processes listen on, read from /proc (TCP, IPv4 and 6)."""
        inodes = set()
        for pid in [self.pid, *self.leftovers()]:
            try:
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
            except OSError:
                pass
        out = set()
        for table, width in (("tcp", 8), ("tcp6", 32)):
            for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:          # 0A: LISTEN
                    ip, port = fields[1].split(":")
                    out.add(f"{_ip(ip, width)}:{int(port, 16)}")
        return out

    def stop(self, grace: float = 60) -> list[int]:
        """Stop the head by its pid, then anything left under its temp dir; the pids that had to be
        stopped that way (an empty list when the head took its processes down with it)."""
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(10)
        left = self.leftovers()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in self.leftovers():
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 10
            while self.leftovers() and time.monotonic() < deadline:
                time.sleep(0.2)
        return left


def _ip(hex_ip: str, width: int) -> str:
    """/proc/net/tcp's address: 32-bit words in host (little-endian) order; an IPv4-mapped IPv6 as IPv4."""
    import ipaddress

    raw = b"".join(bytes.fromhex(hex_ip[i:i + 8])[::-1] for i in range(0, width, 8))
    ip = ipaddress.ip_address(raw)
    return str(ip.ipv4_mapped or ip) if ip.version == 6 else str(ip)


def start(port: int, num_cpus: int = 2, temp_dir: Path | None = None, log: Path | None = None,
          env: dict | None = None) -> LocalRay:
    """``ray start --head --block`` on 127.0.0.1:``port``; returned once it says it runs. Raises (and
    stops what it started) when it exits or does not say so within READY_TIMEOUT."""
    # a short path of its own: Ray's Unix sockets live under it, and their paths are limited to 107 bytes
    temp_dir = Path(temp_dir or tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
    log = Path(log or temp_dir / "head.log")
    head_env = dict(os.environ, **(env or {}), **BASE_ENV, RAY_AUTH_TOKEN=secrets.token_hex(32))
    head_env.pop("RAY_AUTH_TOKEN_PATH", None)
    head_env.pop("RAY_ADDRESS", None)
    process = subprocess.Popen(
        [str(ray_executable()), "start", "--head", "--block", f"--node-ip-address={LOOPBACK}", f"--port={port}",
         f"--num-cpus={num_cpus}", "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp_dir}"],
        stdout=open(log, "wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        env=head_env)
    address = f"{LOOPBACK}:{port}"
    head = LocalRay(process, address, temp_dir, log,
                    {**BASE_ENV, "RAY_AUTH_TOKEN": head_env["RAY_AUTH_TOKEN"], "RAY_ADDRESS": address})
    deadline = time.monotonic() + READY_TIMEOUT
    # ray.init only once the head says it runs: a failed first ray.init leaves the driver half set up
    while "Ray runtime started" not in head.log_tail(100_000):
        if process.poll() is not None:
            head.stop()
            raise RuntimeError(f"ray head exited with code {process.returncode}:\n{head.log_tail()}")
        if time.monotonic() > deadline:
            head.stop()
            raise RuntimeError(f"ray head not ready on {address} within {READY_TIMEOUT:.0f} s:\n{head.log_tail()}")
        time.sleep(0.3)
    if f"Local node IP: {LOOPBACK}" not in head.log_tail(100_000):
        head.stop()
        raise RuntimeError(f"ray head did not take {LOOPBACK} as its node address:\n{head.log_tail()}")
    return head


def driver_environment() -> None:
    """This process's environment for a driver of such a head; before ``ray`` is imported, which reads
    the loopback switch and the auth mode then (the token is read at ``ray.init``)."""
    os.environ.update(BASE_ENV)
    os.environ.pop("RAY_AUTH_TOKEN_PATH", None)


def join(head: LocalRay) -> None:
    """``ray.init`` on exactly ``head.address`` from this process (``driver_environment`` called before
    ``ray`` was imported). Raises when the driver would not, or did not, join the head on loopback."""
    driver_environment()
    os.environ.update(head.env)
    import ray
    from ray._private import ray_constants
    from ray._raylet import AuthenticationMode, get_authentication_mode

    if ray_constants.ENABLE_RAY_CLUSTER or get_authentication_mode() != AuthenticationMode.TOKEN:
        raise RuntimeError("ray was imported before driver_environment(): it would dial the machine's "
                           "routable address, or send no token")
    ray.init(address=head.address, log_to_driver=False)
    gcs = ray.get_runtime_context().gcs_address
    nodes = {n["NodeManagerAddress"] for n in ray.nodes() if n["Alive"]}
    if gcs != head.address or nodes != {LOOPBACK}:
        ray.shutdown()
        raise RuntimeError(f"joined {gcs} (nodes {nodes}), not the head at {head.address}")

if __name__ == "__main__":
    head = start(int(sys.argv[1]))
    print(f"ray head pid {head.pid} at {head.address}; drivers need RAY_AUTH_TOKEN={head.env['RAY_AUTH_TOKEN']} "
          f"and RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 RAY_AUTH_MODE=token", flush=True)
    try:
        head.process.wait()
    except KeyboardInterrupt:
        head.stop()
