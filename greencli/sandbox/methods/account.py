"""Account methods: state, settings, linking (QR, pairing code), token, reboot and logout."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from greencli.greenapi.notification_settings import ALL_TYPES
from greencli.sandbox.answers import Answer, Request, phone_number, validation_failed
from greencli.sandbox.declaration import Method
from greencli.sandbox.instance import Instance

HISTORY_DEFAULT_COUNT = 100
_SWITCHES = (*ALL_TYPES, "markIncomingMessagesReaded", "markIncomingMessagesReadedOnReply", "keepOnlineStatus")


def get_state_instance(instance: Instance, request: Request) -> Answer:
    state = instance.state
    return 200, None if state is None else {"stateInstance": state}


def get_status_instance(instance: Instance, request: Request) -> Answer:
    return 200, {"statusInstance": "online" if instance.state == "authorized" else "offline"}


def get_wa_settings(instance: Instance, request: Request) -> Answer:
    state = instance.state
    linked = state in ("authorized", "yellowCard", "sleepMode")
    return 200, {
        "avatar": "",
        "phone": instance.phone if linked else "",
        "stateInstance": state if state is not None else "notAuthorized",
        "deviceId": f"{instance.phone}:8@s.whatsapp.net" if linked else "",
    }


def get_settings(instance: Instance, request: Request) -> Answer:
    with instance.lock:
        return 200, dict(instance.settings)


def settings_problem(body: Any) -> Answer | None:
    """The 400 setSettings gives for a body it refuses, or None."""
    if not isinstance(body, dict) or not body:
        return validation_failed("'value' must have at least 1 key")
    for key, value in body.items():
        if key in _SWITCHES:
            if value not in ("yes", "no"):
                return validation_failed(f"'{key}' must be one of [yes, no]")
        elif key in ("webhookUrl", "webhookUrlToken"):
            if not isinstance(value, str):
                return validation_failed(f"'{key}' must be a string")
        elif key == "delaySendMessagesMilliseconds":
            if not isinstance(value, int) or not 500 <= value <= 600_000:
                return validation_failed("'delaySendMessagesMilliseconds' must be between 500 and 600000")
    return None


def set_settings(instance: Instance, request: Request, save: bool = True) -> Answer:
    """Keeps the settings (unless a not-saved fault says otherwise) and restarts the instance:
    every setSettings call reboots it (account/SetSettings)."""
    problem = settings_problem(request.json)
    if problem is not None:
        return problem
    if save:
        instance.save_settings(request.body())
    instance.restart()
    return 200, {"saveSettings": True}


def qr(instance: Instance, request: Request) -> Answer:
    state = instance.state
    if state == "authorized":
        return 200, {"type": "alreadyLogged", "message": "instance account already authorized"}
    if instance.qr_error:
        return 200, {"type": "error", "message": instance.qr_error}
    if state != "notAuthorized":
        return 200, {"type": "error", "message": f"Instance is in state {state}, try later"}
    instance.schedule_auto_scan()
    return 200, {"type": "qrCode", "message": base64.b64encode(instance.qr_png()).decode("ascii")}


def get_authorization_code(instance: Instance, request: Request) -> Answer:
    _, invalid = phone_number(request, "Validation failed. Details: 'phoneNumber' must be a number")
    if invalid:
        return invalid
    if instance.state != "notAuthorized":
        return 200, {"status": False, "code": ""}
    instance.schedule_auto_scan()
    return 200, {"status": True, "code": secrets.token_hex(4).upper()}


def get_state_instance_history(instance: Instance, request: Request) -> Answer:
    """Newest first; an optional body {"count": N} (default 100)."""
    body = request.json
    count: Any = HISTORY_DEFAULT_COUNT
    if isinstance(body, dict) and "count" in body:
        count = body["count"]
    elif request.query.get("count"):
        count = request.int_param("count", HISTORY_DEFAULT_COUNT)  # the official Python SDK sends ?count=N
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        return validation_failed("'count' must be a positive integer")
    with instance.lock:
        return 200, [dict(record) for record in instance.history[:count]]


def update_api_token(instance: Instance, request: Request) -> Answer:
    """A new token; the old one stops working at once (beta)."""
    return 200, {"apiTokenInstance": instance.rotate_token()}


def reboot(instance: Instance, request: Request) -> Answer:
    instance.restart()
    return 200, {"isReboot": True}


def logout(instance: Instance, request: Request) -> Answer:
    instance.set_state("notAuthorized")
    return 200, {"isLogout": True}


METHODS = [
    Method("getStateInstance", "GET", get_state_instance, "account/GetStateInstance/", 1),
    Method("getStatusInstance", "GET", get_status_instance, "account/GetStatusInstance/", 1),
    Method("getWaSettings", "GET", get_wa_settings, "account/GetWaSettings/", 1),
    Method("getSettings", "GET", get_settings, "account/GetSettings/", 1),
    Method("setSettings", "POST", set_settings, "account/SetSettings/", 1),
    Method("qr", "GET", qr, "account/QR/", 3),
    Method("getAuthorizationCode", "POST", get_authorization_code, "account/GetAuthorizationCode/"),
    Method("GetStateInstanceHistory", "GET", get_state_instance_history, "account/GetStateInstanceHistory/"),
    Method("updateApiToken", "GET", update_api_token, "account/UpdateApiToken/"),
    Method("reboot", "GET", reboot, "account/Reboot/", 1),
    Method("logout", "GET", logout, "account/Logout/", 1),
]


def set_profile_picture(instance: Instance, request: Request) -> Answer:
    """A JPEG in the `file` field of a multipart form (account/SetProfilePicture)."""
    if request.form is None or "file" not in request.form.files:
        return validation_failed("'file' is required")
    return 200, {"urlAvatar": "", "reason": None, "setProfilePicture": True}


METHODS += [Method("setProfilePicture", "POST", set_profile_picture, "account/SetProfilePicture/", 1, upload=True)]
