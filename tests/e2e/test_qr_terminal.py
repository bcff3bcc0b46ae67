"""`greencli qr` on a real terminal (tmux), at 80×24, 100×30 and 200×60.

The pane is captured as a person would see it: where the code fits, its half-block drawing is
turned back into modules and decoded, and must hold the sandbox's current payload; where it
cannot fit, the pairing code is offered at once. After linking, the last line on screen says
so, and redrawing the code never pushed lines into the scrollback. Skipped without tmux (CI
installs it: .ci/run).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Sandbox, greencli_command
from tests.qr_reading import payload_from_drawing

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")]


class Pane:
    """greencli running alone in a tmux window of a given size, on a private tmux server."""

    def __init__(self, sandbox: Sandbox, columns: int, lines: int, *args: str) -> None:
        self.socket = f"greencli-test-{uuid.uuid4().hex[:8]}"
        environment = " ".join(f"{name}={shlex.quote(value)}" for name, value in sandbox.env(TERM="xterm-256color").items())
        command = " ".join(shlex.quote(word) for word in [*greencli_command(), *args])
        # The shell stays after greencli ends, so the screen can be read as the user sees it.
        script = f"cd {shlex.quote(str(sandbox.workdir))} && env -i {environment} {command}; sleep 600"
        self.tmux("new-session", "-d", "-x", str(columns), "-y", str(lines), "-s", "qr", "sh", "-c", script)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "qr")

    def scrollback(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "qr", "#{history_size}").strip())

    def wait_for(self, seen: Callable[[str], bool], what: str, seconds: float = 20) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = self.screen()
            if seen(text):
                return text
            time.sleep(0.1)
        pytest.fail(f"never saw {what}; the screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def pane(fresh_sandbox: Sandbox) -> Iterator[Callable[..., Pane]]:
    opened: list[Pane] = []

    def open_pane(columns: int, lines: int, *args: str) -> Pane:
        opened.append(Pane(fresh_sandbox, columns, lines, *args))
        return opened[-1]

    yield open_pane
    for each in opened:
        each.close()


def last_line(screen: str) -> str:
    return [line for line in screen.splitlines() if line.strip()][-1]


def has_code(screen: str) -> bool:
    return sum(1 for line in screen.splitlines() if line.startswith("██")) > 10


@pytest.mark.parametrize("size", [(100, 30), (200, 60)], ids=["100x30", "200x60"])
def test_the_code_on_screen_decodes_to_the_servers_payload(fresh_sandbox: Sandbox, pane, size) -> None:
    terminal = pane(*size, "qr", "--wait", "60")
    screen = terminal.wait_for(has_code, "the QR code")
    payload = fresh_sandbox.control("GET", "")["qrPayload"]
    if payload_from_drawing(screen) != payload:  # the code rotated between the two reads
        screen = terminal.wait_for(has_code, "the QR code")
        payload = fresh_sandbox.control("GET", "")["qrPayload"]
    assert payload_from_drawing(screen) == payload
    assert all(len(line) <= size[0] for line in screen.splitlines())

    fresh_sandbox.control("POST", "/state", {"state": "authorized"})
    after = terminal.wait_for(lambda text: "Linked as" in text, "the linked line")
    assert last_line(after).startswith("✓ Linked as +")
    assert not has_code(after)  # the alternate screen is gone with the code
    assert terminal.scrollback() == 0  # redraws happened in place


def test_a_window_too_small_for_the_code_offers_a_pairing_code_at_once(fresh_sandbox: Sandbox, pane) -> None:
    terminal = pane(80, 24, "qr", "--wait", "60")
    screen = terminal.wait_for(lambda text: "Phone number:" in text, "the pairing code offer")
    assert "80×24" in screen and "pairing code" in screen and not has_code(screen)

    terminal.tmux("send-keys", "-t", "qr", "+7 900 123-45-67", "Enter")
    screen = terminal.wait_for(lambda text: "Pairing code for +79001234567:" in text, "the pairing code")
    line = next(line for line in screen.splitlines() if line.startswith("Pairing code for"))
    code = line.split(": ", 1)[1].strip()
    assert len(code) == 9 and code[4] == "-" and " " not in code  # copied as one piece

    fresh_sandbox.control("POST", "/state", {"state": "authorized"})
    after = terminal.wait_for(lambda text: "Linked as" in text, "the linked line")
    assert last_line(after).startswith("✓ Linked as +79001234567")


def with_history(terminal: Pane) -> str:
    """The pane and its scrollback, as far back as the terminal keeps it."""
    return terminal.tmux("capture-pane", "-p", "-S", "-", "-t", "qr")


@pytest.mark.parametrize("grown", [(100, 40), (120, 50)], ids=["100x40", "120x50"])
def test_enter_at_the_offer_then_a_larger_window_leaves_no_code_behind(fresh_sandbox: Sandbox, pane, grown) -> None:
    terminal = pane(60, 24, "qr", "--wait", "60")
    terminal.wait_for(lambda text: "Phone number:" in text, "the pairing code offer")
    terminal.tmux("send-keys", "-t", "qr", "Enter")
    terminal.wait_for(lambda text: "Enlarge the window" in text, "what to do in a small window")
    terminal.tmux("resize-window", "-t", "qr", "-x", str(grown[0]), "-y", str(grown[1]))
    terminal.wait_for(has_code, "the QR code after the resize")
    fresh_sandbox.control("POST", "/state", {"state": "authorized"})
    after = terminal.wait_for(lambda text: "Linked as" in text, "the linked line")
    assert last_line(after).startswith("✓ Linked as +")
    # Not one row of the code on the screen or in the scrollback (tmux carries rows of the
    # alternate screen over when the window grew: they are blank).
    assert not any("█" in line or "▀" in line or "▄" in line for line in with_history(terminal).splitlines())


def test_a_phone_linked_while_the_offer_waits_ends_with_the_linked_line(fresh_sandbox: Sandbox, pane) -> None:
    terminal = pane(60, 24, "qr", "--wait", "60")
    terminal.wait_for(lambda text: "Phone number:" in text, "the pairing code offer")
    fresh_sandbox.control("POST", "/state", {"state": "authorized"})  # a QR shown elsewhere, the console
    after = terminal.wait_for(lambda text: "Linked as" in text, "the linked line")
    assert last_line(after).startswith("✓ Linked as +")
    assert not fresh_sandbox.requests_for("getAuthorizationCode")


def test_the_picture_kept_for_a_small_window_is_private(fresh_sandbox: Sandbox, pane) -> None:
    import re
    import stat

    terminal = pane(80, 24, "--no-input", "qr", "--wait", "60")
    screen = terminal.wait_for(lambda text: ".png" in text, "the saved picture")
    picture = Path(re.search(r"(/\S+\.png)", screen).group(1))  # type: ignore[union-attr]
    assert stat.S_IMODE(picture.stat().st_mode) == 0o600  # a QR code links a phone while valid


def test_the_code_appears_when_the_window_grows(fresh_sandbox: Sandbox, pane) -> None:
    terminal = pane(80, 24, "--no-input", "qr", "--wait", "60")
    screen = terminal.wait_for(lambda text: "needs at least" in text, "what to do in a small window")
    assert "greencli qr --phone" in screen and ".png" in screen and not has_code(screen)
    terminal.tmux("resize-window", "-t", "qr", "-x", "100", "-y", "30")
    screen = terminal.wait_for(has_code, "the QR code after the resize")
    assert payload_from_drawing(screen).startswith("2@")
    assert terminal.scrollback() == 0


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
def test_once_prints_a_whole_code_or_says_what_to_do(fresh_sandbox: Sandbox, pane, size) -> None:
    terminal = pane(*size, "qr", "--once")
    screen = terminal.wait_for(lambda text: "Link a device" in text or "greencli qr --phone" in text, "the code or the advice")
    if size == (80, 24):
        assert not has_code(screen) and "needs at least" in screen and "--save FILE.png" in screen
    else:
        assert payload_from_drawing(screen).startswith("2@")
    assert all(len(line) <= size[0] for line in screen.splitlines())
