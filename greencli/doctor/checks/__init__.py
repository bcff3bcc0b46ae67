"""Every doctor check, one declaration each (greencli.doctor.declaration.Check), in the module
of its theme, in the order doctor reports them:

- local: the configuration, the credentials' shape (no network)
- hygiene: whether the project or its git history exposes the token
- connection: the API host answers; Green API accepts the instance ID and token
- account: the instance's state, its WhatsApp connection, the linked phone, link drops
- notifications: the notification settings and webhook URL, delivery statuses
- queues: messages waiting to be sent, notifications waiting to be read
- media: the media host that files go to
- webhook: the opt-in probe of the bot's webhook URL (`doctor --probe-webhook`)

A new check is one declaration in its theme's module (a new theme: a module added below) and
one section in troubleshooting.md under `<a id="ID"></a>`.
"""

from __future__ import annotations

from greencli.doctor.checks import account, connection, hygiene, local, media, notifications, queues, webhook
from greencli.doctor.declaration import Check

REGISTRY: tuple[Check, ...] = (
    *local.CHECKS,
    *hygiene.CHECKS,
    *connection.CHECKS,
    *account.CHECKS,
    *notifications.CHECKS,
    *queues.CHECKS,
    *media.CHECKS,
    *webhook.CHECKS,
)
BY_ID = {check.id: check for check in REGISTRY}
# What a plain `greencli doctor` runs and reports, in order; opt-in checks come after.
ORDER = tuple(check.id for check in REGISTRY if not check.opt_in)
TITLES = {check.id: check.title for check in REGISTRY}
