"""Journal methods: getMessage and the last incoming and outgoing messages
(greencli.sandbox.journal keeps them, with the documented lag and gaps)."""

from __future__ import annotations

from greencli.sandbox.answers import Answer, Request, TextBody, validation_failed
from greencli.sandbox.declaration import Method
from greencli.sandbox.instance import Instance

DEFAULT_MINUTES = 1440


def get_message(instance: Instance, request: Request) -> Answer:
    body = request.body()
    if not isinstance(body.get("idMessage"), str):
        return validation_failed("'idMessage' is required")
    exceeded = instance.quotas.spend("getMessage")
    if exceeded:
        return 466, exceeded
    entry = instance.journal.find(body.get("chatId"), body["idMessage"])
    if entry is None:
        return 400, TextBody("Message not found")
    return 200, entry


def last_outgoing_messages(instance: Instance, request: Request) -> Answer:
    exceeded = instance.quotas.spend("lastOutgoingMessages")
    if exceeded:
        return 466, exceeded
    return 200, instance.journal.outgoing(request.int_param("minutes", DEFAULT_MINUTES))


def last_incoming_messages(instance: Instance, request: Request) -> Answer:
    exceeded = instance.quotas.spend("lastIncomingMessages")
    if exceeded:
        return 466, exceeded
    return 200, instance.journal.incoming(request.int_param("minutes", DEFAULT_MINUTES))


METHODS = [
    Method("getMessage", "POST", get_message, "journals/GetMessage/", 10),
    Method("lastOutgoingMessages", "GET", last_outgoing_messages, "journals/LastOutgoingMessages/", 1),
    Method("lastIncomingMessages", "GET", last_incoming_messages, "journals/LastIncomingMessages/", 1),
]


def get_chat_history(instance: Instance, request: Request) -> Answer:
    body = request.body()
    chat_id = body.get("chatId")
    if not isinstance(chat_id, str) or not chat_id:
        return validation_failed("'chatId' is required")
    count = body.get("count", 100)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        return validation_failed("'count' must be a positive integer")
    exceeded = instance.quotas.spend("getChatHistory")
    if exceeded:
        return 466, exceeded
    return 200, instance.journal.chat(chat_id, count)


def _calls(outgoing: bool) -> object:
    def handler(instance: Instance, request: Request) -> Answer:
        kind = "outgoing" if outgoing else "incoming"
        return 200, [c for c in reversed(instance.directory.calls) if c.get("type") == kind]

    return handler


METHODS += [
    Method("getChatHistory", "POST", get_chat_history, "journals/GetChatHistory/", 1),
    Method("lastIncomingCalls", "GET", _calls(False), "journals/LastIncomingCalls/"),  # type: ignore[arg-type]
    Method("lastOutgoingCalls", "GET", _calls(True), "journals/LastOutgoingCalls/"),  # type: ignore[arg-type]
]
