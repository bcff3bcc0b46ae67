"""Sending methods: a message or a file goes into the instance's send queue
(sending/SendMessage: queued, sent once the instance is authorized)."""

from __future__ import annotations

import mimetypes
import secrets
import time
from typing import Any
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




def _queue(instance: Instance, chat_id: object, type_message: str, text: str, fields: dict[str, Any], message_data: dict[str, Any], quota: str | None = None) -> Answer:
    """Queue one message of any kind, with the chat and monthly quotas the plan sets."""
    if not valid_chat_id(chat_id):
        return validation_failed("'chatId' is not a valid chat id")
    assert isinstance(chat_id, str)
    with instance.lock:
        if quota is not None:
            exceeded = instance.quotas.spend(quota)
            if exceeded:
                return 466, exceeded
        if not instance.quotas.allow_chat(chat_id):
            return 466, instance.quotas.chat_quota_body(quota or type_message, instance.sent_count)
        message = SentMessage(secrets.token_hex(10).upper(), chat_id, text, int(time.time()), type_message=type_message, fields=fields, message_data=message_data)
        instance.accept(message)
        return 200, {"idMessage": message.id_message}


def _required(body: dict[str, Any], *names: str) -> Answer | None:
    for name in names:
        if body.get(name) in (None, "", []):
            return validation_failed(f"'{name}' is required")
    return None


def send_location(instance: Instance, request: Request) -> Answer:
    body = request.body()
    missing = _required(body, "chatId", "latitude", "longitude")
    if missing:
        return missing
    location = {"nameLocation": body.get("nameLocation", ""), "address": body.get("address", ""), "latitude": body["latitude"], "longitude": body["longitude"], "jpegThumbnail": ""}
    return _queue(instance, body["chatId"], "locationMessage", "", {"location": location}, {"locationMessageData": location}, "sendLocation")


def send_contact(instance: Instance, request: Request) -> Answer:
    body = request.body()
    missing = _required(body, "chatId", "contact")
    if missing:
        return missing
    contact = body["contact"] if isinstance(body["contact"], dict) else {}
    if not contact.get("phoneContact"):
        return validation_failed("'contact.phoneContact' is required")
    name = " ".join(str(contact.get(k, "")) for k in ("firstName", "lastName")).strip()
    vcard = f"BEGIN:VCARD\nVERSION:3.0\nFN:{name}\nTEL;type=CELL;waid={contact['phoneContact']}:+{contact['phoneContact']}\nEND:VCARD"
    data = {"displayName": name, "vcard": vcard}
    return _queue(instance, body["chatId"], "contactMessage", "", {"contact": data}, {"contactMessageData": data}, "sendContact")


def send_poll(instance: Instance, request: Request) -> Answer:
    body = request.body()
    missing = _required(body, "chatId", "message", "options")
    if missing:
        return missing
    options = body["options"]
    if not isinstance(options, list) or not 2 <= len(options) <= 12:
        return validation_failed("'options' must contain from 2 to 12 items")
    names = [str(o.get("optionName", "")) if isinstance(o, dict) else "" for o in options]
    if len(set(names)) != len(names) or "" in names:
        return validation_failed("'options' must be unique, each with an optionName")
    poll = {"name": body["message"], "options": [{"optionName": n} for n in names], "multipleAnswers": bool(body.get("multipleAnswers", False))}
    return _queue(instance, body["chatId"], "pollMessage", str(body["message"]), {"pollMessageData": poll}, {"pollMessageData": poll})


def send_file_by_url(instance: Instance, request: Request) -> Answer:
    body = request.body()
    missing = _required(body, "chatId", "urlFile", "fileName")
    if missing:
        return missing
    file_name = str(body["fileName"])
    if "." not in file_name.strip("."):
        return validation_failed("'fileName' must have an extension")
    type_message, mime = file_kind(file_name)
    caption = str(body.get("caption", ""))
    data = {"downloadUrl": str(body["urlFile"]), "caption": caption, "fileName": file_name, "jpegThumbnail": "", "mimeType": mime}
    answer = _queue(instance, body["chatId"], type_message, caption, {k: v for k, v in data.items() if k != "jpegThumbnail"}, {"fileMessageData": data}, "sendFileByUrl")
    return answer


def upload_file(instance: Instance, request: Request) -> Answer:
    """The file in the raw body, its name in GA-Filename (sending/UploadFile): a URL for sendFileByUrl."""
    if not request.raw:
        return validation_failed("the body must hold the file")
    name = request.headers.get("ga-filename") or "file"
    mime = request.headers.get("content-type") or "application/octet-stream"
    return 200, {"urlFile": instance.directory.keep_file(f"{instance.public_url}/files", quote(name), mime, request.raw)}


def forward_messages(instance: Instance, request: Request) -> Answer:
    body = request.body()
    missing = _required(body, "chatId", "chatIdFrom", "messages")
    if missing:
        return missing
    ids = body["messages"] if isinstance(body["messages"], list) else []
    forwarded = []
    for id_message in ids:
        original = instance.journal.find(body["chatIdFrom"], str(id_message))
        if original is None:
            return 400, TextBody("Validation failed. Details: message not found")  # getMessage must know it (sending/ForwardMessages)
        text = str(original.get("textMessage", ""))
        status, answer = _queue(instance, body["chatId"], "textMessage", text, {"textMessage": text, "isForwarded": True, "forwardingScore": 1}, {"textMessageData": {"textMessage": text}})
        if status != 200:
            return status, answer
        forwarded.append(answer["idMessage"])
    return 200, {"messages": forwarded}


def _interactive(type_message: str, text_field: str) -> Any:
    def handler(instance: Instance, request: Request) -> Answer:
        body = request.body()
        missing = _required(body, "chatId", text_field)
        if missing:
            return missing
        text = str(body[text_field])
        return _queue(instance, body["chatId"], type_message, text, {"textMessage": text}, {"textMessageData": {"textMessage": text}})

    return handler


def send_link(instance: Instance, request: Request) -> Answer:
    body = request.body()
    missing = _required(body, "chatId", "urlLink")
    if missing:
        return missing
    link = str(body["urlLink"])
    data = {"text": link, "description": "", "title": "", "previewType": "None", "jpegThumbnail": ""}
    return _queue(instance, body["chatId"], "extendedTextMessage", link, {"textMessage": link}, {"extendedTextMessageData": data})


METHODS = [
    Method("sendMessage", "POST", send_message, "sending/SendMessage/", 50),
    Method("sendFileByUpload", "POST", send_file_by_upload, "sending/SendFileByUpload/", 50, upload=True),
    Method("sendFileByUrl", "POST", send_file_by_url, "sending/SendFileByUrl/", 50),
    Method("uploadFile", "POST", upload_file, "sending/UploadFile/", None, upload=True),
    Method("sendLocation", "POST", send_location, "sending/SendLocation/", 50),
    Method("sendContact", "POST", send_contact, "sending/SendContact/", 50),
    Method("sendPoll", "POST", send_poll, "sending/SendPoll/", 50),
    Method("forwardMessages", "POST", forward_messages, "sending/ForwardMessages/", 50),
    Method("sendLink", "POST", send_link, "sending/SendLink/", 50),
    Method("sendButtons", "POST", _interactive("buttonsMessage", "message"), "sending/SendButtons/", 50),
    Method("sendTemplateButtons", "POST", _interactive("templateMessage", "message"), "sending/SendTemplateButtons/", 50),
    Method("sendListMessage", "POST", _interactive("listMessage", "message"), "sending/SendListMessage/", 50),
    Method("sendInteractiveButtons", "POST", _interactive("interactiveButtons", "body"), "sending/SendInteractiveButtons/"),
    Method("sendInteractiveButtonsReply", "POST", _interactive("interactiveButtonsReply", "body"), "sending/SendInteractiveButtonsReply/"),
]
