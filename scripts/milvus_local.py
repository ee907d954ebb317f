"""Start Milvus's own binary from the milvus-lite wheel on a loopback TCP port, as a server the
network client (pymilvus ``MilvusClient("http://127.0.0.1:PORT")``) speaks to exactly as to a Milvus
standalone or cluster — not ``MilvusClient("./file.db")``, which goes through a Unix socket.

    python scripts/milvus_local.py DATA_FILE PORT     # runs until interrupted
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

READY_TIMEOUT = 60.0       # seconds; the binary answers in about 1 s here


def binary() -> Path:
    import milvus_lite   # the optional extra catalyse[milvus]

    return Path(milvus_lite.__file__).parent / "lib" / "milvus"


@dataclass
class LocalMilvus:
    process: subprocess.Popen
    uri: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        """Stop the server by its pid (SIGTERM, then SIGKILL after 10 s)."""
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(10)


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def start(db_file: Path, port: int, log: Path | None = None) -> LocalMilvus:
    """Start the binary and wait until a client can list collections; raise (and stop it) otherwise."""
    exe = binary()
    env = dict(os.environ, LD_LIBRARY_PATH=f"{exe.parent}:{os.environ.get('LD_LIBRARY_PATH', '')}")
    out = open(log, "ab") if log else subprocess.DEVNULL
    process = subprocess.Popen([str(exe), str(db_file), f"127.0.0.1:{port}", "ERROR"], env=env,
                               stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = LocalMilvus(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"milvus exited with code {process.returncode} (log: {log})")
        if _answers(port):
            from pymilvus import MilvusClient
            try:
                MilvusClient(server.uri, timeout=5).list_collections()
                return server
            except Exception:
                pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"milvus did not answer on port {port} within {READY_TIMEOUT:.0f} s (log: {log})")


if __name__ == "__main__":
    server = start(Path(sys.argv[1]), int(sys.argv[2]))
    print(f"milvus pid {server.pid} at {server.uri}", flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        server.stop()
