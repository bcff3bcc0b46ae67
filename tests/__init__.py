"""greencli's tests, laid out like the package.

- test_<package>_<module>.py tests that module of greencli/: test_cli_<command>.py each
  command, test_flows_<flow>.py each flow, test_doctor_checks_<theme>.py each theme of doctor's
  checks, test_greenapi_<module>.py, test_config_<module>.py, test_sandbox_<subject>.py; a
  module of a layer's top (errors.py, redaction.py) has test_<module>.py.
- A few files test one promise across the layers: test_docs.py (the docs cannot go stale),
  test_properties.py (arbitrary input), test_round_trips.py (connections and round trips),
  test_structure.py (the package's shape).
- e2e/: the installed greencli against the built-in sandbox over real HTTP on 127.0.0.1.
- hostile/: greencli against hostile servers, bots, files and terminals.

Unit tests mock HTTP with `responses` through mocked_api.py (the strict `api` fixture of
conftest.py: a request nothing answers fails the test).
"""
