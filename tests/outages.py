"""Settings that take a service away, as an outage would, and a Redis of a test's
own that it can take away (never the system's)."""

import shutil
import signal
import socket
import subprocess
import time

UNREACHABLE_CACHE = {
    # Nothing listens on port 1: every call fails at once.
    "default": {
        "BACKEND": "plumbing.rediscache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


class Redis:
    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            try:
                with socket_to(self.port):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def keys(self) -> int:
        with socket_to(self.port) as connection:
            connection.sendall(b"DBSIZE\r\n")
            return int(connection.recv(64).strip().lstrip(b":"))


def socket_to(port: int):

    return socket.create_connection(("127.0.0.1", port), timeout=1)
