"""Green API mocked with `responses`: the instance the unit tests talk to, and what was called."""

from __future__ import annotations

import responses

ID = "1101000001"
API = "https://api.green-api.com"


def url(method: str, token: str) -> str:
    return f"{API}/waInstance{ID}/{method}/{token}"


def methods(api: responses.RequestsMock) -> list[str]:
    """The API methods called so far, in order."""
    return [call.request.url.split(f"/waInstance{ID}/")[1].split("/")[0] for call in api.calls]
