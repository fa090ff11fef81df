"""Class 13 of the second trial: a run killed mid-send does not stay `running` for ever.

A real `boardpack send` is started against a mail server that accepts the connection and never
answers, and killed (SIGKILL: nothing of boardpack runs after it) once its run is recorded. The
next `boardpack runs` says the run was interrupted, and a later send closes it too.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

from tests.conftest import TOML, run_cli, write_workspace

AS_OF = ("--as-of", "2026-11-15")


def silent_server() -> socket.socket:
    """A mail server that takes the connection and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.listen(5)
    return listener


def running_runs(ws) -> int:
    path = ws / ".boardpack" / "audit.sqlite"
    if not path.is_file():
        return 0
    with contextlib.closing(sqlite3.connect(path)) as db:
        try:
            return db.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()[0]
        except sqlite3.OperationalError:  # the schema is still being made
            return 0


def test_a_run_killed_mid_send_is_shown_interrupted(tmp_path):
    listener = silent_server()
    port = listener.getsockname()[1]
    toml = TOML.replace(
        "[delivery]\n", '[delivery]\ntransport = "smtp"\n'
    ) + f'[delivery.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 60\n'
    ws = write_workspace(tmp_path / "ws", toml)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SES_", "SMTP_"))}
    sending = subprocess.Popen(
        [sys.executable, "-m", "boardpack", "send", "-w", str(ws), *AS_OF],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while running_runs(ws) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert running_runs(ws) == 1, "the send never started its run"
        sending.send_signal(signal.SIGKILL)
        sending.wait(timeout=30)
    finally:
        if sending.poll() is None:
            sending.kill()
        listener.close()
    shown = json.loads(run_cli("runs", "-w", str(ws), "--json").stdout)
    (run,) = shown["runs"]
    assert run["status"] == "interrupted" and "process stopped" in run["summary"]
    assert run["finished_at"]
    assert running_runs(ws) == 0
