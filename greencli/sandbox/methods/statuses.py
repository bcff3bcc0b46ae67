"""Status (stories) methods: sent statuses are kept and listed (statuses/*)."""

from __future__ import annotations

import secrets
import time

from greencli.sandbox.answers import Answer, Request, validation_failed
from greencli.sandbox.declaration import Method
from greencli.sandbox.instance import Instance


def _send(type_message: str, required: tuple[str, ...]) -> object:
    def handler(instance: Instance, request: Request) -> Answer:
        body = request.body()
        for name in required:
            if not body.get(name):
                return validation_failed(f"'{name}' is required")
        id_message = secrets.token_hex(10).upper()
        entry = {"type": "outgoing", "idMessage": id_message, "timestamp": int(time.time()), "typeMessage": type_message, "chatId": "status@broadcast", "statusMessage": "sent", "sendByApi": True}
        entry.update({k: body[k] for k in ("message", "caption", "fileName", "urlFile") if k in body})
        instance.directory.statuses.append(entry)
        return 200, {"idMessage": id_message}

    return handler


def get_outgoing_statuses(instance: Instance, request: Request) -> Answer:
    cutoff = time.time() - request.int_param("minutes", 1440) * 60
    return 200, [s for s in reversed(instance.directory.statuses) if s["timestamp"] >= cutoff]


def get_incoming_statuses(instance: Instance, request: Request) -> Answer:
    return 200, []


def get_status_statistic(instance: Instance, request: Request) -> Answer:
    id_message = (request.query.get("idMessage") or [""])[0]
    if not id_message:
        return validation_failed("'idMessage' is required")
    return 200, []


def delete_status(instance: Instance, request: Request) -> Answer:
    id_message = request.body().get("idMessage")
    if not id_message:
        return validation_failed("'idMessage' is required")
    kept = instance.directory.statuses
    kept[:] = [s for s in kept if s["idMessage"] != id_message]
    return 200, None


METHODS = [
    Method("sendTextStatus", "POST", _send("extendedTextMessage", ("message",)), "statuses/SendTextStatus/", 5),  # type: ignore[arg-type]
    Method("sendVoiceStatus", "POST", _send("audioMessage", ("urlFile", "fileName")), "statuses/SendVoiceStatus/", 5),  # type: ignore[arg-type]
    Method("sendMediaStatus", "POST", _send("imageMessage", ("urlFile", "fileName")), "statuses/SendMediaStatus/", 5),  # type: ignore[arg-type]
    Method("getOutgoingStatuses", "GET", get_outgoing_statuses, "statuses/GetOutgoingStatuses/", 1),
    Method("getIncomingStatuses", "GET", get_incoming_statuses, "statuses/GetIncomingStatuses/", 1),
    Method("getStatusStatistic", "GET", get_status_statistic, "statuses/GetStatusStatistic/", 1),
    Method("deleteStatus", "POST", delete_status, "statuses/DeleteStatus/", 10),
]
