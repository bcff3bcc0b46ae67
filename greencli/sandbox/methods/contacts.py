"""Contact methods: the instance's address book (contacts/AddContact, EditContact, DeleteContact)."""

from __future__ import annotations

from greencli.sandbox.answers import Answer, Request, valid_chat_id, validation_failed
from greencli.sandbox.declaration import Method
from greencli.sandbox.instance import Instance


def _change(kind: str) -> object:
    def handler(instance: Instance, request: Request) -> Answer:
        body = request.body()
        chat_id = body.get("chatId")
        if not valid_chat_id(chat_id):
            return validation_failed("'chatId' is required")
        assert isinstance(chat_id, str)
        if kind != "delete" and not body.get("firstName"):
            return validation_failed("'firstName' is required")
        contacts = instance.directory.contacts
        if kind == "delete":
            contacts.pop(chat_id, None)
        else:
            name = " ".join(str(body.get(k) or "") for k in ("firstName", "lastName")).strip()
            contacts[chat_id] = {"name": name, "contactName": name}
        return 200, {f"{kind}Contact": True}

    return handler


METHODS = [
    Method("addContact", "POST", _change("add"), "contacts/AddContact/"),  # type: ignore[arg-type]
    Method("editContact", "POST", _change("edit"), "contacts/EditContact/"),  # type: ignore[arg-type]
    Method("deleteContact", "POST", _change("delete"), "contacts/DeleteContact/"),  # type: ignore[arg-type]
]
