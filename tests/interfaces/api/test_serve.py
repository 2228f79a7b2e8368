"""``veil serve`` is registered (its module lives in interfaces/cli/serve.py)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from veil.interfaces.cli.app import app
from veil.testing import canary_email


def test_serve_is_registered() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--data-dir" in result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_worker_processes_serve_one_vault(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEIL_")}
    server = subprocess.Popen(
        [sys.executable, "-c", "from veil.interfaces.cli import main; main()", "serve",
         "--port", str(port),
         "--data-dir", str(tmp_path), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("veil serve --workers 2 did not become ready")
        email = canary_email()
        for _ in range(12):  # spread over both workers: every one restores the same map
            reply = httpx.post(
                url + "/v1/chat/completions",
                headers={"x-veil-conversation": "c-w", "x-veil-subject": "s-w"},
                json={"messages": [{"role": "user", "content": f"my email is {email}"}]},
                timeout=30,
            )
            assert reply.status_code == 200
        assert {p.name for p in tmp_path.iterdir()} >= {"veil.db", "veil-ledger.db", "veil.keys"}
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert email.encode() not in err


def test_the_workers_socket_turns_nagle_off() -> None:
    # uvicorn binds it without a protocol number, so asyncio would leave Nagle on and
    # keep-alive answers would wait ~40 ms for a delayed ACK.
    import uvicorn

    from veil.interfaces.cli.serve import listening_socket

    config = uvicorn.Config("veil.interfaces.cli.serve:application_from_environment", port=0)
    sock = listening_socket(config)
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        sock.close()
