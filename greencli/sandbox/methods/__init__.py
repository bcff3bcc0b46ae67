"""Every Green API method the sandbox answers, one module per method family.

A new method goes into its family's module: a handler `(instance, request) -> (status, body)`
and a `Method` declaration in the module's METHODS list (verb, documentation page, rate limit).
State the handler needs belongs to greencli.sandbox.instance (or directory.py, journal.py).
"""

from __future__ import annotations

from greencli.sandbox.declaration import Method
from greencli.sandbox.methods import (
    account,
    contacts,
    device,
    groups,
    journals,
    marking,
    queues,
    receiving,
    sending,
    service,
    statuses,
)

FAMILIES = (account, contacts, device, groups, journals, marking, queues, receiving, sending, service, statuses)
ALL: tuple[Method, ...] = tuple(method for family in FAMILIES for method in family.METHODS)
BY_NAME: dict[str, Method] = {method.name.lower(): method for method in ALL}
