"""Service methods: checking numbers, and (later) contacts, avatars, chats."""

from __future__ import annotations

from greencli.sandbox.answers import Answer, Request, TextBody, phone_number, valid_chat_id, validation_failed
from greencli.sandbox.declaration import Method
from greencli.sandbox.instance import Instance


def check_whatsapp(instance: Instance, request: Request) -> Answer:
    phone, invalid = phone_number(request, "Validation failed. Details: Wrong format. 'phoneNumber' must contain only digits")
    if invalid:
        return invalid
    if instance.state != "authorized":
        return 400, TextBody("instance is starting or not authorized")
    exceeded = instance.quotas.spend("checkWhatsapp")
    if exceeded:
        return 466, exceeded
    return 200, {"existsWhatsapp": not str(phone).endswith(instance.no_whatsapp_suffix)}


METHODS = [
    Method("checkWhatsapp", "POST", check_whatsapp, "service/CheckWhatsapp/", 10),
]


def _chat_id(request: Request) -> tuple[str, Answer | None]:
    chat_id = request.body().get("chatId")
    if not valid_chat_id(chat_id):
        return "", validation_failed("'chatId' is required")
    return str(chat_id), None


def _archive(value: bool) -> object:
    def handler(instance: Instance, request: Request) -> Answer:
        chat_id, problem = _chat_id(request)
        if problem:
            return problem
        instance.directory.chat(chat_id)["archive"] = value
        return 200, {}

    return handler


def get_contacts(instance: Instance, request: Request) -> Answer:
    exceeded = instance.quotas.spend("getContacts")
    if exceeded:
        return 466, exceeded
    groups_only = (request.query.get("group") or [""])[0].lower()
    listed = [{"id": chat, "name": data["name"], "contactName": data["contactName"], "type": "user"} for chat, data in instance.directory.contacts.items()]
    listed += [{"id": g.chat_id, "name": g.subject, "contactName": "", "type": "group"} for g in instance.directory.groups.values()]
    if groups_only in ("true", "false"):
        listed = [c for c in listed if (c["type"] == "group") == (groups_only == "true")]
    count = request.int_param("count", 0)
    return 200, listed[:count] if count > 0 else listed


def get_chats(instance: Instance, request: Request) -> Answer:
    chats = []
    for chat_id, flags in instance.directory.chats.items():
        group = instance.directory.groups.get(chat_id)
        name = group.subject if group else instance.directory.contacts.get(chat_id, {}).get("name", "")
        chats.append({"id": chat_id, "name": name, "type": "group" if group else "user", "archive": flags["archive"], "ephemeralExpiration": flags["ephemeralExpiration"], "ephemeralSettingTimestamp": 0})
    count = request.int_param("count", 0)
    return 200, chats[:count] if count > 0 else chats


def get_contact_info(instance: Instance, request: Request) -> Answer:
    chat_id, problem = _chat_id(request)
    if problem:
        return problem
    exceeded = instance.quotas.spend("getContactInfo")
    if exceeded:
        return 466, exceeded
    contact = instance.directory.contacts.get(chat_id, {"name": "", "contactName": ""})
    flags = instance.directory.chat(chat_id)
    return 200, {
        "avatar": "", "name": contact["name"], "contactName": contact["contactName"], "email": "", "category": "", "description": "",
        "products": [], "chatId": chat_id, "lastSeen": None, "isArchive": flags["archive"], "isDisappearing": bool(flags["ephemeralExpiration"]),
        "isMute": False, "messageExpiration": flags["ephemeralExpiration"], "muteExpiration": None, "isBusiness": False,
    }


def get_avatar(instance: Instance, request: Request) -> Answer:
    chat_id, problem = _chat_id(request)
    if problem:
        return problem
    exists = not chat_id.split("@")[0].endswith(instance.no_whatsapp_suffix)
    return 200, {"existsWhatsapp": exists, "urlAvatar": "", "reason": "" if exists else "no account"}


def _message_change(kind: str) -> object:
    """editMessage and deleteMessage: the journal changes, and an editedMessage or
    deletedMessage notification follows when its setting is on (account/SetSettings)."""

    def handler(instance: Instance, request: Request) -> Answer:
        chat_id, problem = _chat_id(request)
        if problem:
            return problem
        body = request.body()
        id_message = body.get("idMessage")
        if not isinstance(id_message, str) or not id_message:
            return validation_failed("'idMessage' is required")
        if kind == "edit" and not isinstance(body.get("message"), str):
            return validation_failed("'message' is required")
        message = instance.journal.sent(chat_id, id_message)
        if message is None:
            return 400, TextBody("Validation failed. Details: message not found")
        with instance.lock:
            if kind == "edit":
                message.text = str(body["message"])
                instance.notify_changed(message, "editedMessage")
                return 200, {"idMessage": id_message}
            instance.notify_changed(message, "deletedMessage")
            message.deleted = True
            return 200, None

    return handler


def send_typing(instance: Instance, request: Request) -> Answer:
    _, problem = _chat_id(request)
    return problem or (200, None)


def set_disappearing_chat(instance: Instance, request: Request) -> Answer:
    chat_id, problem = _chat_id(request)
    if problem:
        return problem
    expiration = request.body().get("ephemeralExpiration", 0)
    if expiration not in (0, 86400, 604800, 7776000):
        return validation_failed("'ephemeralExpiration' must be one of 0, 86400, 604800, 7776000")
    instance.directory.chat(chat_id)["ephemeralExpiration"] = expiration
    return 200, {"chatId": chat_id, "disappearingMessagesInChat": expiration > 0, "ephemeralExpiration": expiration}


METHODS += [
    Method("getContacts", "GET", get_contacts, "service/GetContacts/", 1),
    Method("getChats", "GET", get_chats, "service/GetChats/"),
    Method("getContactInfo", "POST", get_contact_info, "service/GetContactInfo/", 1),
    Method("getAvatar", "POST", get_avatar, "service/GetAvatar/", 10),
    Method("archiveChat", "POST", _archive(True), "service/archiveChat/", 10),  # type: ignore[arg-type]
    Method("unarchiveChat", "POST", _archive(False), "service/unarchiveChat/", 10),  # type: ignore[arg-type]
    Method("editMessage", "POST", _message_change("edit"), "service/EditMessage/"),  # type: ignore[arg-type]
    Method("deleteMessage", "POST", _message_change("delete"), "service/deleteMessage/", 10),  # type: ignore[arg-type]
    Method("sendTyping", "POST", send_typing, "service/SendTyping/"),
    Method("setDisappearingChat", "POST", set_disappearing_chat, "service/SetDisappearingChat/", 1),
]
