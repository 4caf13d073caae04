"""`make run` twice: the second exits at once, non-zero, naming the ports taken and how to choose
others; the options it names work."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from infra.local.__main__ import PORT_IN_USE, ports_problem

pytestmark = pytest.mark.slow  # make run: `make test` runs it, `make check` does not

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_run(web: int, aws: int) -> list[str]:
    return ["make", "--no-print-directory", "run", f"ARGS=--no-seed --port {web} --aws-port {aws}"]


def test_a_second_make_run_exits_at_once_naming_the_ports_and_the_options():
    web, aws = free_port(), free_port()
    first = subprocess.Popen(
        make_run(web, aws),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    up = threading.Event()

    def read() -> None:
        assert first.stdout is not None
        for line in first.stdout:
            output.append(line)
            if "Kluis runs locally." in line:
                up.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert up.wait(120), "the first make run did not come up:\n" + "".join(output)
        started = time.monotonic()
        second = subprocess.run(make_run(web, aws), cwd=ROOT, capture_output=True, text=True, timeout=60)
        elapsed = time.monotonic() - started
    finally:
        os.killpg(first.pid, signal.SIGTERM)  # as Ctrl-C does; stopping takes some seconds
        try:
            first.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)
    assert second.returncode != 0
    assert elapsed < 5, f"the second make run took {elapsed:.1f} s to give up"
    message = second.stderr
    assert f"port {web} (the web client and HTTP API) is in use" in message, message
    assert f"port {aws} (the embedded AWS, moto) is in use" in message, message
    assert "python -m infra.local --port" in message and "--aws-port" in message, message
    assert 'make run ARGS="--port' in message, message


def test_one_taken_port_is_named_and_another_suggested():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        free = free_port()
        message = ports_problem({"--port": free, "--aws-port": port})
    assert message is not None
    assert f"port {port} (the embedded AWS, moto) is in use" in message
    assert f"port {free} " not in message.splitlines()[0]
    assert f"--port {free} --aws-port " in message
    assert ports_problem({"--port": free, "--aws-port": free}) is not None  # one port for both
    assert ports_problem({"--port": free_port(), "--aws-port": free_port()}) is None


def test_a_taken_port_ends_the_process_with_its_own_status():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = os.environ | {"PYTHONPATH": f"{ROOT}:{ROOT / 'layers' / 'kluis'}:{ROOT / 'tools'}"}
        result = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "python"), "-m", "infra.local", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
        )
    assert result.returncode == PORT_IN_USE
    assert f"port {port} (the web client and HTTP API) is in use" in result.stderr


@pytest.mark.parametrize(("share", "said"), [("2", "from 0 to 1"), ("veel", "must be a number")])
def test_a_fault_share_that_is_no_share_is_refused_before_anything_starts(share, said):
    env = os.environ | {"PYTHONPATH": f"{ROOT}:{ROOT / 'layers' / 'kluis'}:{ROOT / 'tools'}"}
    ports = ["--port", str(free_port()), "--aws-port", str(free_port())]
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "infra.local", *ports, "--faults", share],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert result.returncode == 2
    assert "KLUIS_LOCAL_FAULT_RATE" in result.stderr and said in result.stderr
    assert "Kluis runs locally" not in result.stdout


def test_the_curl_recipe_make_run_prints_makes_and_downloads_a_backup(harness, tmp_path):
    """The recipe, as printed, run by bash against a local stack: it waits for the job to end and
    downloads the archive under its own name."""
    from infra.local.__main__ import banner

    text = banner(harness.gateway.url, harness.stack.endpoint)
    lines = text.split("Make a backup with curl:", 1)[1].split("Stop with Ctrl-C.", 1)[0]
    script = lines.replace("\\\n", " ").strip()
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", "\n".join(line.strip() for line in script.splitlines())],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "ready", result.stdout
    downloaded = list(tmp_path.glob("*.zip"))
    assert [path.name for path in downloaded] == ["10234 - 00017 - 2025 - Backup.zip"]
