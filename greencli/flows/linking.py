"""Linking a phone to the instance: by QR code (shown until scanned) or by pairing code.

The QR code rotates about every 20 seconds and must be asked for again; once the phone is linked
the state turns authorized (https://green-api.com/en/docs/api/account/QR/). A pairing code is
valid for about 2.5 minutes, and asking again after a wrong one can leave the instance in
`starting` (https://green-api.com/en/docs/api/account/GetAuthorizationCode/).

Waiting survives the weather: a 5xx, a timeout or an `error` answer is shown and the wait goes
on to its deadline. After about five minutes of QR requests an instance can drop to `starting`
and stay there until it is rebooted (Green API forum, topic 142:
https://green-api.com/en/forum/post/142): seen on two looks in a row once codes were shown,
linking stops with InstanceStarting, so the caller can offer the reboot. Getting a QR code can take up to 10 minutes, after a logout especially
(https://green-api.com/en/docs/api/account/QR/, https://github.com/green-api/issues/issues/1029);
only "Instance has auth" means logging out first.
"""

from __future__ import annotations

import base64
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from greencli.config.atomic_files import write_atomically
from greencli.errors import ApiError, NotFine
from greencli.flows import weather
from greencli.flows.waiting import Spinner, no_spinner
from greencli.greenapi import qr_image
from greencli.greenapi.failures import is_transient
from greencli.greenapi.states import format_phone

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PAIRING_SECONDS = 150
LINK_FIX = "Run `greencli logout`, then `greencli qr` again."


class InstanceStarting(NotFine):
    """The instance dropped to `starting` while QR codes were shown (forum topic 142)."""

    def __init__(self) -> None:
        super().__init__(
            "The instance dropped to `starting` while QR codes were being shown: after about five "
            "minutes of QR requests an instance can stay there (Green API forum, topic 142). A reboot "
            "recovers it.",
            "Run `greencli reboot`, then `greencli qr` again.",
            code="instance_starting",
        )


class Linked(NamedTuple):
    phone: str | None  # "+79001234567", when Green API tells
    already: bool  # linked before any code was shown


class QrCode(NamedTuple):
    png: bytes
    payload: str | None  # what the picture encodes; None when it could not be read
    file: Path | None  # where the PNG is: --save, or a temporary file when it could not be read
    new: bool  # a code not shown before (else the same code, asked for again)
    deadline: float  # when the flow gives up (on the flow's clock)


def link_by_qr(
    client: GreenApiClient,
    wait: float,
    on_code: Callable[[QrCode], None],
    once: bool = False,
    save: Path | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
    on_trouble: Callable[[str], None] = lambda text: None,
) -> Linked | QrCode:
    """Ask for the QR code once a second and hand each one to `on_code` until the phone is linked
    (a `Linked`), or, with `once`, return the first code. NotFine when `wait` runs out.

    `on_trouble` hears each answer that is waited out (a 5xx, a timeout, no QR code yet)."""
    sleep = sleep or time.sleep
    clock = clock or time.monotonic
    deadline = clock() + wait
    shown: str | None = None
    codes_shown = 0
    fallback_file: Path | None = None
    looks = _StateLooks(client, clock, on_trouble)
    while True:
        started = clock()
        try:
            answer = client.qr()
        except ApiError as error:
            if not is_transient(error) or clock() >= deadline:
                raise
            on_trouble(f"{error.message} Trying again ({max(0.0, deadline - clock()):.0f} s left).")
            if codes_shown and looks.due() and looks.linked():
                return Linked(linked_phone(client), already=False)
            sleep(max(0.0, started + 2.0 - clock()))
            continue
        if answer.type == "alreadyLogged":
            return Linked(linked_phone(client), already=codes_shown == 0)
        if answer.type == "error":
            if needs_logout(answer.message):
                raise NotFine(f"Green API could not give a QR code: {answer.message}", LINK_FIX, code="qr_error")
            if codes_shown and looks.due() and looks.linked():
                return Linked(linked_phone(client), already=False)
            if clock() >= deadline:
                raise NotFine(
                    f"Green API gave no QR code within {wait:g} s: {answer.message}",
                    "A QR code can take up to 10 minutes, after a logout especially: run `greencli qr` "
                    "again in a few minutes (`greencli check-state` shows the state), or link by "
                    "pairing code: `greencli qr --phone NUMBER`.",
                    code="qr_error",
                )
            on_trouble(f"No QR code yet: {answer.message} (it can take up to 10 minutes after a logout); "
                       f"still asking ({max(0.0, deadline - clock()):.0f} s left).")
            sleep(max(0.0, started + 2.0 - clock()))
            continue
        if answer.type != "qrCode":
            raise NotFine(f"Green API answered qr with an unknown type {answer.type!r}.", "Try again.", code="qr_error")

        png = png_bytes(answer.message)
        if save is not None:
            write_atomically(save, png)
        payload = _read(png)
        if payload is None and (save is not None or not once):
            # Kept in a file the user can open and scan (with --once it would be removed as
            # the command ends: --save keeps it).
            fallback_file = save or fallback_file or temporary_png()
            # A QR code links a phone to the instance while it is valid: a temporary picture
            # is for this user's eyes only.
            write_atomically(fallback_file, png, mode=0o644 if fallback_file == save else 0o600)
        key = payload or answer.message
        new = key != shown
        if new:
            shown = key
            codes_shown += 1
        code = QrCode(png, payload, save or fallback_file, new, deadline)
        on_code(code)

        if once:
            return code
        if clock() >= deadline:
            raise NotFine(
                f"The phone was not linked within {wait:g} s.",
                "Run `greencli qr` again when the phone is at hand, or use a pairing code: "
                "`greencli qr --phone NUMBER`. Long QR sessions can leave the instance in "
                "`starting`: `greencli check-state` tells.",
                code="qr_timeout",
            )
        if looks.due() and looks.linked():
            return Linked(linked_phone(client), already=False)
        sleep(max(0.0, started + 1.0 - clock()))


class _StateLooks:
    """Looks at the state while codes are shown: every other second at most (the state method's
    rate limit), whether the phone is linked, and whether the instance dropped to `starting`."""

    def __init__(self, client: GreenApiClient, clock: Callable[[], float], on_trouble: Callable[[str], None]) -> None:
        self.client = client
        self.clock = clock
        self.on_trouble = on_trouble
        self.last = -2.0
        self.starting = 0  # looks in a row that read `starting`

    def due(self) -> bool:
        return self.clock() - self.last >= 2

    def linked(self) -> bool:
        """Whether the phone is linked; InstanceStarting on the second `starting` in a row."""
        self.last = self.clock()
        try:
            state = self.client.get_state_instance()
        except ApiError as error:
            if not is_transient(error):
                raise
            self.on_trouble(f"{error.message} Still showing the code.")
            return False
        self.starting = self.starting + 1 if state == "starting" else 0
        if self.starting >= 2:
            raise InstanceStarting()
        return state == "authorized"


def needs_logout(message: str) -> bool:
    """Only "Instance has auth. You need to make log out" means stale auth data: log out first
    (https://green-api.com/en/docs/api/account/QR/). Other errors are waited out."""
    return "instance has auth" in message.lower()


def png_bytes(message: str) -> bytes:
    """The PNG picture in a qr answer's message (base64, or a data: URL)."""
    text = message.split(",", 1)[1] if message.startswith("data:") else message
    try:
        # Base64 is 4 characters for 3 bytes: a text this long is too large a picture already.
        if len(text) > (qr_image.MAX_PNG_BYTES + 2) // 3 * 4 + 4:
            raise qr_image.QrPictureTooLarge(
                f"the QR picture is over {qr_image.MAX_PNG_BYTES // 1024} KB, more than any QR code needs"
            )
        try:
            png = base64.b64decode(text, validate=False)
        except ValueError:
            png = b""
        qr_image.check_size(png)
    except qr_image.QrPictureTooLarge as error:
        raise ApiError(
            f"Green API's QR answer was refused: {error}.",
            "Try again; `greencli qr --phone NUMBER` links by pairing code instead.",
            code="bad_response",
            method="qr",
        ) from None
    if not png.startswith(PNG_SIGNATURE):
        raise ApiError(
            "Green API's QR answer is not a PNG picture.",
            "Try again; `greencli qr --phone NUMBER` links by pairing code instead.",
            code="bad_response",
            method="qr",
        )
    return png


def _read(png: bytes) -> str | None:
    try:
        return qr_image.decode_png(png)
    except qr_image.QrDecodeError:
        return None


_temporary_pngs: list[Path] = []


def temporary_png() -> Path:
    """A file for a picture that cannot be drawn; removed by `remove_temporary_pngs`."""
    handle = tempfile.NamedTemporaryFile(prefix="greencli-qr-", suffix=".png", delete=False)
    handle.close()
    _temporary_pngs.append(Path(handle.name))
    return Path(handle.name)


def remove_temporary_pngs() -> None:
    """Remove the temporary pictures (when the command that showed them ends)."""
    while _temporary_pngs:
        _temporary_pngs.pop().unlink(missing_ok=True)


def linked_phone(client: GreenApiClient) -> str | None:
    """The linked phone number, or None when Green API does not say."""
    try:
        return format_phone(client.get_wa_settings().get("phone"))
    except ApiError:
        return None


def pairing_code(client: GreenApiClient, phone: int) -> Linked | str:
    """A pairing code for `phone`, or `Linked` when a phone is linked already."""
    if client.get_state_instance() == "authorized":
        return Linked(linked_phone(client), already=True)
    status, code = client.get_authorization_code(phone)
    if not status or not code:
        raise NotFine(
            "Green API could not create a pairing code.",
            "Wait a minute and try again. If a wrong code was entered before, run "
            "`greencli logout` first, or link by QR code: `greencli qr`.",
            code="pairing_failed",
        )
    return code


def wait_for_pairing(client: GreenApiClient, wait: float, spinner: Spinner = no_spinner) -> Linked:
    """Wait until the phone entered the pairing code (at most the code's 2.5 minutes)."""
    with spinner("Waiting for the phone to enter the code…") as update:
        _, linked, _ = weather.poll_through(
            client.get_state_instance,
            lambda value: value == "authorized",
            timeout=min(wait, PAIRING_SECONDS),
            intervals=[1.0],
            first_delay=1.0,  # getStateInstance was called a moment ago: 1 call a second
            on_value=lambda value, left: update("Waiting for the phone to enter the code…", left),
            on_hiccup=lambda error, left: update(f"{error.message} Trying again…", left),
        )
    if not linked:
        raise NotFine(
            "The phone did not enter the pairing code in time.",
            "Run `greencli logout`, then `greencli qr` (or `greencli qr --phone NUMBER` once).",
            code="pairing_timeout",
        )
    return Linked(linked_phone(client), already=False)
