"""Queue methods: the outgoing send queue and the count of waiting notifications."""

from __future__ import annotations

from greencli.sandbox.answers import Answer, Request
from greencli.sandbox.declaration import Method
from greencli.sandbox.instance import Instance


def show_messages_queue(instance: Instance, request: Request) -> Answer:
    """The queue as Green API lists it today: without its first message (an open bug,
    green-api.com/en/forum/topic/213: one stuck message reads as an empty queue).
    getMessagesCount counts them all."""
    with instance.lock:
        return 200, [
            {
                "messageID": m.id_message,
                "type": "sendFileByUrl" if m.file is not None else "sendMessage",
                "body": {"chatId": m.chat_id, "message": m.text, "linkPreview": True}
                if m.file is None
                else {"chatId": m.chat_id, "urlFile": m.file["downloadUrl"], "fileName": m.file["fileName"], "caption": m.text},
            }
            for m in instance.send_queue[1:]
        ]


def get_messages_count(instance: Instance, request: Request) -> Answer:
    with instance.lock:
        return 200, {"count": len(instance.send_queue)}


def get_webhooks_count(instance: Instance, request: Request) -> Answer:
    return 200, {"count": len(instance.notifications)}


METHODS = [
    Method("showMessagesQueue", "GET", show_messages_queue, "queues/ShowMessagesQueue/", 1),
    Method("getMessagesCount", "GET", get_messages_count, "queues/GetMessagesCount/"),
    Method("getWebhooksCount", "GET", get_webhooks_count, "queues/GetWebhooksCount/"),
]


def clear_messages_queue(instance: Instance, request: Request) -> Answer:
    with instance.lock:
        instance.send_queue.clear()
    return 200, {"isCleared": True}


def clear_webhooks_queue(instance: Instance, request: Request) -> Answer:
    instance.notifications.clear()
    return 200, {"isCleared": True}


METHODS += [
    Method("clearMessagesQueue", "GET", clear_messages_queue, "queues/ClearMessagesQueue/", 1),
    Method("clearWebhooksQueue", "DELETE", clear_webhooks_queue, "queues/ClearWebhooksQueue/"),
]
