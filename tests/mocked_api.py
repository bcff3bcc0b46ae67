"""Green API mocked with `responses`: the instance the unit tests talk to, its URLs, what was
called, and the strict mock every unit test uses (the `api` fixture).

Strict: a request no mock answers fails the test. `responses` alone raises ConnectionError for
it, which greencli reports as a lost connection (and retries for a GET), so a test expecting a
failure could pass on the wrong one; here the test fails at its end whatever greencli did.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
import responses

ID = "1101000001"
API = "https://api.green-api.com"  # the universal host: the default GREEN_API_URL
MEDIA = "https://media.green-api.com"  # its media host, where uploads go
CHAT = "79001234567@c.us"

_UNANSWERED = "Connection refused by Responses"


def url(method: str, token: str, base: str = API, instance: str = ID) -> str:
    """The URL of `method` on the instance: {base}/waInstance{instance}/{method}/{token}."""
    return f"{base}/waInstance{instance}/{method}/{token}"


def env(token: str, **extra: str) -> dict[str, str]:
    """The environment that points greencli at the mocked instance."""
    return {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token, **extra}


def methods(api: responses.RequestsMock) -> list[str]:
    """The API methods called so far, in order."""
    return [call.request.url.split("/waInstance")[1].split("/")[1] for call in api.calls]


def calls_to(api: responses.RequestsMock, method: str) -> int:
    return methods(api).count(method)


@contextmanager
def mocked(all_fired: bool = True) -> Iterator[responses.RequestsMock]:
    """A strict mock of Green API; `all_fired`: every mock registered must also be called."""
    with responses.RequestsMock(assert_all_requests_are_fired=all_fired) as mock:
        yield mock
        unanswered = [
            f"{call.request.method} {call.request.url.split('/waInstance')[-1].split('/')[1]}"
            for call in mock.calls
            if isinstance(call.response, requests.ConnectionError) and str(call.response).startswith(_UNANSWERED)
        ]
        if unanswered:
            pytest.fail(f"requests no mock answered: {unanswered}", pytrace=False)
