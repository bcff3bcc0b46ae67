"""The API answers doctor's checks read: each a `Read` (one typed client method), fetched once
per run however many checks read it, all at once (greencli.doctor.runner).

Nothing here spends a monthly quota: no checkWhatsapp, no sending.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from greencli.errors import ApiError

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient, StateChange

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Read(Generic[T]):
    """One API call a check reads the answer of; compared by identity, so each is made once."""

    method: str  # Green API's name for it
    call: Callable[[GreenApiClient], T]


@dataclass(frozen=True)
class Fetched(Generic[T]):
    """An answer, or what went wrong asking for it (for its check to report)."""

    value: T | None = None
    error: ApiError | None = None


def fetch(call: Callable[[], T]) -> Fetched[T]:
    """Call the API; whatever goes wrong becomes the result's error, for its check to report."""
    try:
        return Fetched(call())
    except ApiError as error:
        return Fetched(error=error)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - RecursionError and the like fail one check, not doctor
        from greencli.redaction import redact

        return Fetched(error=ApiError(f"the call failed unexpectedly ({type(error).__name__}: {redact(str(error))[:200]})",
                                      "Run `greencli --debug doctor` and report it.", code="internal_error"))


@dataclass(frozen=True)
class Timed(Generic[T]):
    fetched: Fetched[T]
    elapsed_ms: int


class Answers:
    """The answers of one run, by Read; a Read that was not made reads as an empty answer."""

    def __init__(self, answers: dict[Read[Any], Timed[Any]] | None = None) -> None:
        self._answers = answers or {}

    def __getitem__(self, read: Read[T]) -> Fetched[T]:
        timed = self._answers.get(read)
        return timed.fetched if timed is not None else Fetched()

    def elapsed_ms(self, read: Read[Any]) -> int:
        timed = self._answers.get(read)
        return timed.elapsed_ms if timed is not None else 0

    def made(self) -> list[tuple[Read[Any], Timed[Any]]]:
        """Every call the run made, with its answer and time."""
        return list(self._answers.items())


# The answers today's checks read (a check may declare a Read of its own beside it).
STATE: Read[str | None] = Read("getStateInstance", lambda client: client.get_state_instance())
STATUS: Read[str] = Read("getStatusInstance", lambda client: client.get_status_instance())
WA_SETTINGS: Read[dict[str, Any]] = Read("getWaSettings", lambda client: client.get_wa_settings())
SETTINGS: Read[dict[str, Any]] = Read("getSettings", lambda client: client.get_settings())
# Not showMessagesQueue: it leaves out the first queued message (Green API forum, topic 213).
MESSAGES_COUNT: Read[int] = Read("getMessagesCount", lambda client: client.get_messages_count())
WEBHOOKS_COUNT: Read[int] = Read("getWebhooksCount", lambda client: client.get_webhooks_count())
STATE_HISTORY: Read[list[StateChange]] = Read("GetStateInstanceHistory", lambda client: client.get_state_instance_history())
