"""Receiving methods (HTTP API technology): receiveNotification long-polls the notification
queue, deleteNotification removes its head (receiving/technology-http-api)."""

from __future__ import annotations

from greencli.sandbox.answers import Answer, Request, TextBody
from greencli.sandbox.declaration import Method
from greencli.sandbox.instance import Instance


def receive_notification(instance: Instance, request: Request) -> Answer:
    # The page: receiveTimeout "takes a value from 5 to 60 seconds (5 seconds by default)"; it
    # documents no error for other values, so the sandbox keeps the wait within that range.
    wait = min(60, max(5, request.int_param("receiveTimeout", 5)))
    head = instance.notifications.receive(wait)
    if head is None:
        return 200, None
    receipt, body = head
    return 200, {"receiptId": receipt, "body": body}


def delete_notification(instance: Instance, request: Request) -> Answer:
    if not request.extra.isdigit():
        return 400, TextBody("Parameter receiptId must be a Number")
    return 200, {"result": instance.notifications.delete(int(request.extra))}


METHODS = [
    Method("receiveNotification", "GET", receive_notification, "receiving/technology-http-api/ReceiveNotification/", 100),
    Method("deleteNotification", "DELETE", delete_notification, "receiving/technology-http-api/DeleteNotification/", 100),
]


def download_file(instance: Instance, request: Request) -> Answer:
    """The link of a message's file (receiving/DownloadFile)."""
    body = request.body()
    chat_id, id_message = body.get("chatId"), body.get("idMessage")
    if not isinstance(chat_id, str) or not isinstance(id_message, str):
        return 400, TextBody("Validation failed. Details: 'chatId' and 'idMessage' are required")
    exceeded = instance.quotas.spend("downloadFile")
    if exceeded:
        return 466, exceeded
    entry = instance.journal.find(chat_id, id_message)
    if entry is None or not entry.get("downloadUrl"):
        return 400, TextBody("Validation failed. Details: message not found")
    return 200, {"downloadUrl": entry["downloadUrl"]}


METHODS += [Method("downloadFile", "POST", download_file, "receiving/DownloadFile/", 5)]
