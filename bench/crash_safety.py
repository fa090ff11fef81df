"""Crash safety: SIGKILL `boardpack send` at random moments during a batch, start it again, and
count — from what the server itself received, by Message-ID — deliveries lost, duplicated and left
`unknown`.

For each transport (SMTP through a real aiosmtpd server, SES through a real moto_server, chat
cards through two loopback webhooks standing in for Slack and Teams), each trial: a fresh audit
store, a batch of 50 deliveries (chat: 10 cards, one per report and channel, paced at Slack's one
a second), one `send` killed at a random moment of its
run, a second `send` killed likewise, then a `send` that runs to the end. Then two `send` processes
started at once on a fresh store, several times: each message must arrive once.

    lost        the server never got it, and the audit store does not say `unknown` (nobody would
                know)
    duplicated  the server got it more than once
    unknown     held for the owner (some of these the server did get: the kill fell between
                hand-over and record)

Usage: python bench/crash_safety.py [TRIALS] [smtp|ses|chat|both|all]
"""

from __future__ import annotations

import email
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import ChatServer, MotoServer, SmtpServer  # noqa: E402

ROLES = ("ceo", "cfo", "accounting", "cto", "cmo")
PER_ROLE = 10  # × 5 roles = 50 deliveries, each to one recipient plus the audit Bcc
RATE = 60  # recipients per second: a batch takes about 1.7 s, plus start-up and build

TOML = """
[organization]
name = "Crash Co"
timezone = "UTC"
[[entities]]
id = "co"
name = "Crash Co"
kind = "services"
[[sources.ledger]]
path = "bank.csv"
entity = "co"
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
{roles}
[delivery]
from = "reports@example.com"
bcc = ["audit@example.com"]
separate = true
transport = "{transport}"
{transport_table}
"""


def workspace(root: Path, transport: str, port: int) -> Path:
    roles = "\n".join(
        f"[roles.{r}]\nto = {json.dumps([f'{r}{i}@example.com' for i in range(PER_ROLE)])}"
        for r in ROLES
    )
    table = {
        "smtp": (
            f'[delivery.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
            f"max_send_rate = {RATE}"
        ),
        "ses": f"[delivery.ses]\nmax_send_rate = {RATE}",
        "chat": "",  # the mail goes to the outbox; the cards are what is counted
    }[transport]
    if transport == "chat":
        roles = "\n".join(f"[roles.{r}]\nslack = true\nteams = true" for r in ROLES)
    root.mkdir(parents=True)
    (root / "boardpack.toml").write_text(
        TOML.format(
            roles=roles,
            transport="outbox" if transport == "chat" else transport,
            transport_table=table,
        )
    )
    (root / "bank.csv").write_text(
        "Date,Amount,Account\n2026-10-01,100.00,Income:Sales\n2026-10-02,-40.00,Expenses:Rent\n"
    )
    return root


class Target:
    """The server side: what it received, by Message-ID."""

    def __init__(self, kind: str):
        self.kind = kind
        if kind == "smtp":
            self.smtp = SmtpServer()
            self.port, self.env = self.smtp.port, {}
        elif kind == "chat":
            ok = (200, {}, b"ok")
            self.chat = [ChatServer([ok]), ChatServer([ok])]
            self.port = 0
            self.env = {
                "BOARDPACK_SLACK_WEBHOOK": self.chat[0].url,
                "BOARDPACK_TEAMS_WEBHOOK": self.chat[1].url,
            }
        else:
            self.moto = MotoServer(serial=False)
            self.port, self.env = 0, self.moto.env()

    def reset(self) -> None:
        if self.kind == "smtp":
            self.smtp.handler.received.clear()
        elif self.kind == "chat":
            for server in self.chat:
                server.received.clear()
                server.keys.clear()
        else:
            import boto3

            self.moto.reset()
            boto3.client(
                "ses",
                endpoint_url=self.moto.url,
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            ).verify_email_identity(EmailAddress="reports@example.com")

    def received(self) -> Counter:
        """By Message-ID (chat: by delivery key, which each card's request carries)."""
        if self.kind == "smtp":
            return Counter(r.message_id for r in self.smtp.received)
        if self.kind == "chat":
            return Counter(key for server in self.chat for key in server.keys)
        return Counter(
            email.message_from_string(m["raw_data"])["Message-ID"] for m in self.moto.sent_raw()
        )

    def stop(self) -> None:
        if self.kind == "smtp":
            self.smtp.stop()
        elif self.kind == "chat":
            for server in self.chat:
                server.stop()
        else:
            self.moto.stop()


def send(ws: Path, env: dict, kill_after: float | None = None) -> int | None:
    process = subprocess.Popen(
        [sys.executable, "-m", "boardpack", "send", "-w", str(ws), "--as-of", "2026-11-15"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if kill_after is None:
        return process.wait(300)
    try:
        return process.wait(kill_after)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return None


def deliveries(ws: Path, env: dict, kind: str) -> dict[str, str]:
    """Each delivery's state, by what the server counts it by (chat: its cards only)."""
    out = subprocess.run(
        [sys.executable, "-m", "boardpack", "runs", "-w", str(ws), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = json.loads(out)["deliveries"]
    if kind == "chat":
        return {
            d["key"]: d["state"] for d in found if d["recipients"][0].endswith("@webhook.invalid")
        }
    return {d["message_id"]: d["state"] for d in found}


def run(kind: str, trials: int, folder: Path) -> dict:
    target = Target(kind)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOARDPACK_"))
    } | target.env
    template = workspace(folder / f"{kind}-template", kind, target.port)
    try:
        target.reset()  # calibrate: how long an uninterrupted send takes
        ws = folder / f"{kind}-calibrate"
        shutil.copytree(template, ws)
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "boardpack", "send", "-w", str(ws), "--as-of", "2026-11-15"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while not target.received() and process.poll() is None:
            time.sleep(0.02)
        first = (
            time.monotonic() - started
        )  # start-up and build: a kill before this only tests start-up
        process.wait(300)
        full = time.monotonic() - started
        totals = Counter()
        killed_mid_batch = 0
        for trial in range(trials):
            target.reset()
            ws = folder / f"{kind}-{trial}"
            shutil.copytree(template, ws)
            for _ in range(2):
                before = sum(target.received().values())
                if send(ws, env, kill_after=random.uniform(first * 0.9, full)) is None:
                    batch = 10 if kind == "chat" else 50
                    killed_mid_batch += 0 < sum(target.received().values()) - before < batch
            send(ws, env)
            states = deliveries(ws, env, kind)
            got = target.received()
            batch = 10 if kind == "chat" else 50
            assert len(states) == batch, f"{len(states)} deliveries planned"
            totals["deliveries"] += len(states)
            totals["lost"] += sum(
                1 for mid, state in states.items() if got[mid] == 0 and state != "unknown"
            )
            totals["duplicated"] += sum(1 for mid in states if got[mid] > 1)
            totals["unknown"] += sum(1 for state in states.values() if state == "unknown")
            totals["unknown, in fact received"] += sum(
                1 for mid, s in states.items() if s == "unknown" and got[mid]
            )
            totals["sent"] += sum(1 for state in states.values() if state == "sent")
        racing = Counter()
        batch = 10 if kind == "chat" else 50
        for trial in range(max(3, trials // 10)):
            target.reset()
            ws = folder / f"{kind}-race-{trial}"
            shutil.copytree(template, ws)
            command = [
                sys.executable,
                "-m",
                "boardpack",
                "send",
                "-w",
                str(ws),
                "--as-of",
                "2026-11-15",
            ]
            racers = [
                subprocess.Popen(
                    command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                for _ in range(2)
            ]
            for r in racers:
                r.wait(300)
            got = target.received()
            racing["batches"] += 1
            racing["messages"] += len(got)
            racing["duplicated"] += sum(1 for n in got.values() if n > 1)
            racing["missing"] += batch - len(got)
        return {
            "transport": kind,
            "trials": trials,
            "kills": trials * 2,
            "kills that fell mid-batch": killed_mid_batch,
            "uninterrupted send (s)": round(full, 2),
            "first message after (s)": round(first, 2),
            **totals,
            "two at once": dict(racing),
        }
    finally:
        target.stop()


def main() -> None:
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    kinds = {"both": ["smtp", "ses"], "all": ["smtp", "ses", "chat"]}.get(
        sys.argv[2] if len(sys.argv) > 2 else "both", sys.argv[2:3]
    )
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            result = run(kind, trials, Path(folder))
            print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
