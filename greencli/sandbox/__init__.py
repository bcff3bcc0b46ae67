"""A local emulator of Green API, on 127.0.0.1 only (docs/sandbox.md).

Where things live:
- `methods/` — what each API method answers, one module per method family (account,
  sending, service, journals, queues, receiving, …). A new method: a handler and a `Method`
  declaration (verb, documentation page, rate limit) in its family's module.
- `instance.py` — one instance's state and the lock that guards it (authorization, settings,
  the send queue, statuses stepping on); `options.py` how it starts. A new behaviour of the
  service (something that changes state or happens later) goes here, or into the module
  that holds that part of the state: `journal.py` (the journals), `quotas.py` (the plan's
  monthly quotas), `notifications.py` (the notification queue), `push.py` (delivery to a
  webhook URL).
- `server.py` — the HTTP front: Green API's URL scheme, auth, rate limits (`rate_limiter.py`),
  faults (`faults.py`), multipart forms (`forms.py`), HTTPS (`tls.py`).
- `control.py` — the control endpoint under /sandbox that tests and bots steer it with.
"""
