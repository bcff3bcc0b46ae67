"""Marking: readChat marks a chat's incoming messages read (marking/ReadChat)."""

from __future__ import annotations

from greencli.sandbox.answers import Answer, Request, valid_chat_id, validation_failed
from greencli.sandbox.declaration import Method
from greencli.sandbox.instance import Instance


def read_chat(instance: Instance, request: Request) -> Answer:
    body = request.body()
    chat_id = body.get("chatId")
    if not valid_chat_id(chat_id):
        return validation_failed("'chatId' is required")
    marked = instance.journal.mark_read(str(chat_id), body.get("idMessage"))
    return 200, {"setRead": marked}


METHODS = [Method("readChat", "POST", read_chat, "marking/ReadChat/", 10)]
