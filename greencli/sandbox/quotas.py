"""The plan's monthly quotas: calls per method and the chats an instance may talk to.

Green API's Developer (free) plan (https://green-api.com/en/docs/about-tariffs/):
- checkWhatsapp 100 calls a month; getMessage, lastIncomingMessages, lastOutgoingMessages
  1,000 each; sendFileByUpload 1,000 (the Russian page's table); methods not in the table are
  not limited. The Business plan lifts them (checkWhatsapp: 30,000).
- only 3 chats a month can be written to *and received from*: sending to a 4th answers 466
  with `correspondentsStatus`; a message from a 4th produces a `quotaExceeded` notification
  instead (receiving/notifications-format/QuotaExceeded).
- the counts start again on the 1st of each month.
Over a method quota the call answers 466 with the documented `invokeStatus` body
(https://green-api.com/en/docs/api/466-error-example-body).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

DEVELOPER_METHOD_QUOTAS = {
    "checkWhatsapp": 100,
    "getMessage": 1000,
    "lastIncomingMessages": 1000,
    "lastOutgoingMessages": 1000,
    "sendFileByUpload": 1000,
}
BUSINESS_METHOD_QUOTAS = {"checkWhatsapp": 30_000}
DEVELOPER_CHATS = 3
UPGRADE = "Please go to your personal account and change the tariff to business https://console.green-api.com"


def plan_quotas(plan: str) -> dict[str, int]:
    return dict(DEVELOPER_METHOD_QUOTAS if plan == "developer" else BUSINESS_METHOD_QUOTAS)


class Quotas:
    """Monthly counters. `limits` maps method names to calls a month; `chats` is the number of
    chats (None: unlimited). The clock is injectable so a test can cross a month boundary."""

    def __init__(self, limits: dict[str, int], chats: int | None, clock: Callable[[], float] = time.time, chat_body: str = "older") -> None:
        self.limits = {name.lower(): (name, total) for name, total in limits.items()}
        self.chat_limit = chats
        # Two documented shapes of the 4th-chat 466 (docs/api/466-error-example-body, two page
        # versions): "older" names the allowed chats in correspondentsStatus.description,
        # "newer" in invokeStatus.description.
        self.chat_body = chat_body
        self._clock = clock
        self._lock = threading.Lock()
        self._month = self._current_month()
        self._used: dict[str, int] = {}
        self._chats: list[str] = []

    def _current_month(self) -> tuple[int, int]:
        now = time.gmtime(self._clock())
        return now.tm_year, now.tm_mon

    def _roll(self) -> None:
        """Quotas start again on the 1st of the month (UTC here)."""
        month = self._current_month()
        if month != self._month:
            self._month = month
            self._used.clear()
            self._chats.clear()

    # -- methods ------------------------------------------------------------------------------

    def spend(self, method: str) -> dict[str, Any] | None:
        """Count one call of `method`; the 466 body instead when the month's quota is used up."""
        limit = self.limits.get(method.lower())
        if limit is None:
            return None
        _, total = limit
        key = method.lower()
        with self._lock:
            self._roll()
            used = self._used.get(key, 0)
            if used >= total:
                return {
                    "invokeStatus": {
                        "method": key,
                        "used": used,
                        "total": total,
                        "status": "QUOTE_EXCEEDED",
                        "description": f"Monthly quota has been exceeded. {UPGRADE}",
                    }
                }
            self._used[key] = used + 1
            return None

    def use_up(self, method: str) -> None:
        limit = self.limits.get(method.lower())
        if limit is not None:
            with self._lock:
                self._roll()
                self._used[method.lower()] = limit[1]

    def used(self, method: str) -> int:
        with self._lock:
            self._roll()
            return self._used.get(method.lower(), 0)

    # -- chats --------------------------------------------------------------------------------

    def allow_chat(self, chat_id: str) -> bool:
        """Whether `chat_id` may be written to or heard from this month (counting it if new)."""
        with self._lock:
            self._roll()
            if self.chat_limit is None or chat_id in self._chats:
                return True
            if len(self._chats) >= self.chat_limit:
                return False
            self._chats.append(chat_id)
            return True

    @property
    def chats(self) -> list[str]:
        with self._lock:
            self._roll()
            return list(self._chats)

    def chat_quota_body(self, method: str, calls: int) -> dict[str, Any]:
        """The 466 body for a 4th chat (documented example: sendMessage)."""
        chats = self.chats
        allowed = (
            "Monthly quota has been exceeded. You can only send or receive messages from "
            f"these numbers: {','.join(chats)}. {UPGRADE}"
        )
        if self.chat_body == "newer":
            return {"invokeStatus": {"method": method.lower(), "used": calls, "total": 0, "status": "QUOTE_ALLOWED", "description": allowed}}
        return {
            "invokeStatus": {"method": method.lower(), "used": calls, "total": 0, "status": "QUOTE_ALLOWED"},
            "correspondentsStatus": {
                "method": "correspondents",
                "used": len(chats),
                "total": self.chat_limit,
                "status": "CORRESPONDENTS_QUOTE_EXCEEDED",
                "description": (
                    "Monthly quota has been exceeded. You can only send or receive messages from "
                    f"these numbers: {','.join(chats)}. {UPGRADE}"
                ),
            },
        }

    def quota_data(self) -> dict[str, Any]:
        """`quotaData` of the quotaExceeded notification (note: QUOTA here, QUOTE in 466 bodies)."""
        chats = self.chats
        return {
            "method": "correspondents",
            "used": len(chats),
            "total": self.chat_limit,
            "status": "CORRESPONDENTS_QUOTA_EXCEEDED",
            "description": (
                "Monthly quota has been exceeded. You can only send or receive messages from "
                f"these numbers: {','.join(chats)}. {UPGRADE}"
            ),
        }

    def describe(self) -> dict[str, Any]:
        with self._lock:
            self._roll()
            return {
                "month": f"{self._month[0]}-{self._month[1]:02d}",
                "chats": list(self._chats),
                "chatLimit": self.chat_limit,
                "methods": {name: {"used": self._used.get(key, 0), "total": total} for key, (name, total) in self.limits.items()},
            }
