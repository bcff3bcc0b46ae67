"""Service methods: checking numbers, and (later) contacts, avatars, chats."""

from __future__ import annotations

from greencli.sandbox.answers import Answer, Request, TextBody, phone_number
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
