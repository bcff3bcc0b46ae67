"""What an instance knows beyond its queues: contacts, chats, groups, files and calls.

Green API's pages imply this state: chats and contacts exist for the numbers that wrote or were
written to (service/GetContacts, service/GetChats); a group exists after createGroup and changes
with its participant and admin methods (groups/*); a file sent by URL or uploaded can be
downloaded again (receiving/DownloadFile, sending/UploadFile: kept 15 days there).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Group:
    chat_id: str
    subject: str
    owner: str
    creation: int
    participants: dict[str, bool] = field(default_factory=dict)  # chatId -> is admin
    subject_owner: str = ""
    subject_time: int = 0
    invite_link: str = field(default_factory=lambda: f"https://chat.whatsapp.com/{secrets.token_urlsafe(16)}")
    left: bool = False

    def data(self) -> dict[str, Any]:
        """getGroupData's answer (groups/GetGroupData)."""
        return {
            "groupId": self.chat_id,
            "owner": self.owner,
            "subject": self.subject,
            "creation": self.creation,
            "participants": [
                {"id": member, "isAdmin": admin, "isSuperAdmin": member == self.owner} for member, admin in self.participants.items()
            ],
            "subjectTime": self.subject_time,
            "subjectOwner": self.subject_owner,
            "groupInviteLink": self.invite_link,
        }


@dataclass
class StoredFile:
    name: str
    mime: str
    content: bytes


class Directory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.contacts: dict[str, dict[str, Any]] = {}  # chatId -> {"name", "contactName"}
        self.chats: dict[str, dict[str, Any]] = {}  # chatId -> {"archive", "ephemeralExpiration"}
        self.groups: dict[str, Group] = {}
        self.files: dict[str, StoredFile] = {}  # urlFile -> content
        self.calls: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []  # statuses (stories) sent

    def meet(self, chat_id: str, name: str = "") -> None:
        """A chat that wrote or was written to: it is listed from now on."""
        with self._lock:
            self.chats.setdefault(chat_id, {"archive": False, "ephemeralExpiration": 0})
            if chat_id.endswith(("@c.us", "@lid")):
                self.contacts.setdefault(chat_id, {"name": name, "contactName": ""})

    def chat(self, chat_id: str) -> dict[str, Any]:
        with self._lock:
            return self.chats.setdefault(chat_id, {"archive": False, "ephemeralExpiration": 0})

    def create_group(self, name: str, owner: str, members: list[str]) -> Group:
        with self._lock:
            chat_id = f"120363{secrets.randbelow(10**12):012d}@g.us"
            now = int(time.time())
            group = Group(chat_id, name, owner, now, {owner: True, **dict.fromkeys(members, False)}, owner, now)
            self.groups[chat_id] = group
            self.chats[chat_id] = {"archive": False, "ephemeralExpiration": 0}
            return group

    def keep_file(self, base_url: str, name: str, mime: str, content: bytes) -> str:
        """Keep a file; the URL it can be downloaded from (the sandbox's own media route)."""
        url = f"{base_url}/{secrets.token_hex(8)}/{name}"
        with self._lock:
            self.files[url] = StoredFile(name, mime, bytes(content))
        return url

    def file_by_token(self, token: str) -> StoredFile | None:
        with self._lock:
            for url, stored in self.files.items():
                if f"/{token}/" in url:
                    return stored
        return None
