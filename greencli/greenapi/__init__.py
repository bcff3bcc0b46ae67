"""Green API itself: the HTTP client and what its values look like.

A new Green API method is a typed method in `client.py`, reading the answer with `shapes.py`
into a type of `answers.py`. How a call gets through (retries, deadlines, connections) is
`transport.py`; what a failure means for the user (the error, its exit code, whether it is
transient) is `failures.py` and `error_bodies.py`.
"""
