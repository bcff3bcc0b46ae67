"""One declaration per Green API method: what the sandbox answers it with, and where the
documentation says so.

Every family module in greencli.sandbox.methods ends with a list of these; the server routes by
them, the rate limiter reads `per_second`, and docs/sandbox.md's method list is generated from
them (`python -m tests.sandbox_doc`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from greencli.sandbox.answers import Answer, Request

if TYPE_CHECKING:
    from greencli.sandbox.instance import Instance

Handler = Callable[["Instance", Request], Answer]
DOCS = "https://green-api.com/en/docs/api/"


@dataclass(frozen=True)
class Method:
    name: str  # as Green API spells it in the path (matched case-insensitively)
    verb: str
    handler: Handler
    page: str  # the documentation page, relative to DOCS
    # Calls a second (https://green-api.com/en/docs/api/ratelimiter/); None: the page lists no
    # limit for the method, and the sandbox invents none.
    per_second: int | None = None
    summary: str = ""  # what the sandbox does, for docs/sandbox.md
    upload: bool = False  # a file in the body (up to 100 MB), on the media host for Green API

    @property
    def url(self) -> str:
        return DOCS + self.page
