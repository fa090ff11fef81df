"""`boardpack preview` as a user meets it: a real server process, driven through a real browser."""

import http.client
import re
import shutil
import socket
import subprocess
import sys

import pytest

from tests.browser.conftest import Visit
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def workspace(demo_workspace, tmp_path_factory):
    """The demo, with each To and Cc sent its own message: the CFO report goes to two recipient
    sets."""
    root = tmp_path_factory.mktemp("preview") / "ws"
    shutil.copytree(demo_workspace, root)
    toml = root / "boardpack.toml"
    toml.write_text(
        toml.read_text().replace('outbox = "outbox"', 'outbox = "outbox"\nseparate = true')
    )
    return root


@pytest.fixture(scope="module")
def server(workspace):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "boardpack",
            "preview",
            "-w",
            str(workspace),
            "--as-of",
            "2026-11-22",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert match, f"no URL in {line!r}: {proc.stderr.read() if proc.poll() is not None else ''}"
    yield match[0]
    proc.terminate()
    assert proc.wait(10) == 0
    assert "Preview stopped." in proc.stdout.read()


def outbox_count(workspace):
    return len((workspace / "outbox" / "index.jsonl").read_text().splitlines())


def test_list_open_a_report_and_switch_recipient(browser, server, workspace):
    sent_before = outbox_count(workspace)
    with Visit(browser, 1280) as visit:
        page = visit.page
        page.goto(server)
        page.get_by_role("link", name="2026-10").click()
        assert page.locator("h1").inner_text() == "October 2026"
        page.get_by_role("link", name="cfo", exact=True).click()
        assert page.locator("h1").inner_text() == (
            "Harbor Ventures CFO report, October 2026: net -9.6k USD, cash 27.5k USD, 1 critical"
        )

        # the HTML part, as the mail client gets it: the key numbers first
        frame = page.frame_locator("iframe.message")
        assert frame.locator(".tile.key .tile-label").first.inner_text().startswith("Cash balance")
        assert "cfo@example.com" in page.locator("dl.envelope").inner_text()
        # the logo is the message's own part, shown by cid: and served from the message
        assert frame.locator("img.logo").evaluate("img => img.complete && img.naturalWidth") == 240
        assert "Inline\n<logo@boardpack> (image/png" in page.locator("dl.envelope").inner_text()

        # the same report as the Cc'd owner receives it: their own message, nobody else's address
        page.get_by_role("link", name="owner@example.com").click()
        envelope = page.locator("dl.envelope").inner_text()
        assert "To\nowner@example.com" in envelope and "cfo@example.com" not in envelope
        assert page.locator(".recipients a[aria-current]").inner_text() == "owner@example.com"
        assert frame.locator("h1").inner_text() == "CFO report — Harbor Ventures"

        page.get_by_role("link", name="Plain text").click()
        text = page.locator("pre.message").inner_text()
        assert text.startswith("CFO report — Harbor Ventures") and "KEY NUMBERS" in text
        assert max(len(line) for line in text.splitlines()) <= 78

        # what changed: the previous period's figure beside this one's, and the move between them
        changes = page.locator("table.changes").inner_text()
        assert re.search(
            r"Cash balance\t34,504\.67 USD\t27,532\.57 USD\t▼ 6,972\.10 USD", changes
        ), changes
        visit.screenshot("preview-cfo-1280")
        assert all(url.startswith(server) for url in visit.requests), visit.requests
    assert outbox_count(workspace) == sent_before  # a preview sends nothing


def test_preview_pages_fit_a_phone(browser, server):
    with Visit(browser, 375) as visit:
        for path in ("", "2026-10/", "2026-10/cfo/?form=phone", "2026-10/cfo/?to=1&form=text"):
            visit.page.goto(server + path)
            assert visit.overflow()["scroll"] == 0, path
        visit.screenshot("preview-cfo-text-375")


def test_the_message_frame_may_load_nothing_from_elsewhere(server):
    """The HTML part is served with a policy that forbids scripts and remote content."""
    host, port = server.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/2026-10/cfo/0/message.html")
    response = conn.getresponse()
    assert response.status == 200 and b"CFO report" in response.read()
    assert "default-src 'none'" in response.getheader("Content-Security-Policy")


def test_another_host_name_is_refused(server):
    """A web page elsewhere cannot read the preview by pointing its own name at 127.0.0.1."""
    host, port = server.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/2026-10/cfo/", headers={"Host": f"attacker.example:{port}"})
    assert conn.getresponse().status == 403


@pytest.mark.parametrize(
    "path, status, says",
    [
        ("2025-01/", 404, "no period 2025-01"),
        ("2026-10/nobody/", 404, "no report nobody in 2026-10"),
        ("2026-10/cfo/?to=7", 404, "the cfo report has 2 recipient sets"),
    ],
)
def test_a_wrong_address_says_what_is_there(server, path, status, says):
    host, port = server.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/" + path)
    response = conn.getresponse()
    assert response.status == status and says in response.read().decode()


def test_a_port_in_use_is_a_clear_error(workspace):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_cli("preview", "-w", str(workspace), "--port", str(port), timeout=30)
    assert done.returncode == 2
    assert (
        f"port {port} on 127.0.0.1 is already in use: choose another with --port N" in done.stderr
    )
    assert "Traceback" not in done.stderr
