"""A local emulator of the Green API methods greencli uses, on 127.0.0.1 only.

`instance.py` holds one emulated instance (state, settings, queues, journal); `push.py`
delivers its notifications to a webhook URL (push mode); `faults.py` the fault-injection
rules; `server.py` the HTTP front (routing, auth, rate limits, the control endpoint).
See docs/sandbox.md.
"""
