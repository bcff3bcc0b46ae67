"""Every Green API method the sandbox answers, one module per method family.

A new method goes into its family's module: a handler `(instance, request) -> (status, body)`
and a `Method` declaration at the end of the module's METHODS list (verb, documentation page,
rate limit). State the handler needs belongs to greencli.sandbox.instance.
"""

from __future__ import annotations

from greencli.sandbox.declaration import Method
from greencli.sandbox.methods import account, journals, queues, receiving, sending, service

FAMILIES = (account, sending, service, journals, queues, receiving)
ALL: tuple[Method, ...] = tuple(method for family in FAMILIES for method in family.METHODS)
BY_NAME: dict[str, Method] = {method.name.lower(): method for method in ALL}
