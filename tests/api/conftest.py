"""The HTTP API in-process (FastAPI's TestClient over the real app and a real
database) and as real ``dnc serve`` processes on free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

import dnc
from dnc.api.app import create_app


@dataclass
class Keys:
    check: str
    write: str
    admin: str


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def keys(service: dnc.Service) -> Keys:
    return Keys(
        check=service.create_api_key("reader", ["check"], actor="ops").secret,
        write=service.create_api_key("dialer-7", ["write"], actor="ops").secret,
        admin=service.create_api_key("root", ["admin"], actor="ops").secret,
    )


@pytest.fixture
def client(service: dnc.Service, keys: Keys) -> Iterator[TestClient]:
    app = create_app(service, key_ttl=0.0)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def client(self, key: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=bearer(key), timeout=10)


def start_server(db_url: str, **env: str) -> Server:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dnc", "--database-url", db_url, "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a loaded CI machine starts Python slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"dnc serve exited {process.returncode}: {err}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url, process)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("dnc serve did not start within 120 s")


@pytest.fixture
def servers() -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(db_url: str, **env: str) -> Server:
        server = start_server(db_url, **env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.process.terminate()
    for server in started:
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
