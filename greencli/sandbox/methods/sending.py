"""Sending methods: a message or a file goes into the instance's send queue
(sending/SendMessage: queued, sent once the instance is authorized)."""

from __future__ import annotations

import mimetypes
import secrets
import time
from urllib.parse import quote

from greencli.sandbox.answers import Answer, Request, TextBody, valid_chat_id, validation_failed
from greencli.sandbox.declaration import Method
from greencli.sandbox.instance import Instance
from greencli.sandbox.journal import SentMessage

MAX_MESSAGE = 20_000
MAX_UPLOAD = 100 * 1024 * 1024  # sending/SendFileByUpload: files up to 100 MB


def send_message(instance: Instance, request: Request) -> Answer:
    body = request.json
    if not isinstance(body, dict):
        return validation_failed("body must be a JSON object")
    chat_id, text = body.get("chatId"), body.get("message")
    if not isinstance(chat_id, str) or not valid_chat_id(chat_id):
        return validation_failed("'chatId' is not a valid chat id")
    if not isinstance(text, str) or not text:
        return validation_failed("'message' is required")
    if len(text) > MAX_MESSAGE:
        return validation_failed("'message' length must be less than or equal to 20000 characters long")
    with instance.lock:
        if not instance.quotas.allow_chat(chat_id):
            return 466, instance.quotas.chat_quota_body("sendMessage", instance.sent_count)
        message = SentMessage(secrets.token_hex(10).upper(), chat_id, text, int(time.time()))
        instance.accept(message)
        return 200, {"idMessage": message.id_message}


def send_file_by_upload(instance: Instance, request: Request) -> Answer:
    """A multipart upload (on the media host for Green API): chatId, file, fileName, caption.
    Answers {"idMessage", "urlFile"}."""
    form = request.form
    if form is None:
        return validation_failed("the body must be multipart/form-data")
    chat_id = form.fields.get("chatId", "")
    upload = form.files.get("file")
    if not valid_chat_id(chat_id):
        return validation_failed("'chatId' is not a valid chat id")
    if upload is None:
        return validation_failed("'file' is required")
    file_name = form.fields.get("fileName") or upload.filename
    if "." not in file_name.strip(".") or len(upload.content) > MAX_UPLOAD:
        return validation_failed("'fileName' must have an extension; files up to 100 MB")
    caption = form.fields.get("caption", "")
    if len(caption) > MAX_MESSAGE:
        return 400, TextBody("Validation failed. Details: 'caption' length must be less than or equal to 20000 characters long")
    with instance.lock:
        exceeded = instance.quotas.spend("sendFileByUpload")
        if exceeded:
            return 466, exceeded
        if not instance.quotas.allow_chat(chat_id):
            return 466, instance.quotas.chat_quota_body("sendFileByUpload", instance.sent_count)
        type_message, mime = file_kind(file_name)
        # A link that resolves nowhere: the sandbox keeps no files (Green API's lasts 15 days).
        url_file = f"https://media.sandbox.invalid/{instance.instance_id}/{secrets.token_hex(8)}/{quote(file_name)}"
        file_data = {"downloadUrl": url_file, "caption": caption, "fileName": file_name, "jpegThumbnail": "", "mimeType": mime}
        message = SentMessage(secrets.token_hex(10).upper(), chat_id, caption, int(time.time()), type_message=type_message, file=file_data)
        instance.accept(message)
        return 200, {"idMessage": message.id_message, "urlFile": url_file}


def file_kind(file_name: str) -> tuple[str, str]:
    """typeMessage and MIME type from the extension, as Green API picks how to send a file."""
    mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    kind = mime.split("/")[0]
    return {"image": "imageMessage", "video": "videoMessage", "audio": "audioMessage"}.get(kind, "documentMessage"), mime


METHODS = [
    Method("sendMessage", "POST", send_message, "sending/SendMessage/", 50),
    Method("sendFileByUpload", "POST", send_file_by_upload, "sending/SendFileByUpload/", 50, upload=True),
]
