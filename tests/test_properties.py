"""Arbitrary input gives a value or greencli's own error, never anything else."""

from __future__ import annotations

import json

import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greencli.errors import ApiError
from greencli.greenapi.client import GreenApiClient
from greencli.greenapi.credentials import Credentials, check_url_shape
from greencli.greenapi.notification_summary import one_line
from greencli.greenapi.webhook_url import reachability_findings
from tests.mocked_api import mocked

TOKEN = "0123456789abcdef" * 3 + "ab"
CREDENTIALS = Credentials("1101000001", TOKEN, "https://api.example.test")
URL = f"https://api.example.test/waInstance1101000001/getStateInstance/{TOKEN}"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


@given(st.text(max_size=200))
def test_url_validation_never_crashes(url: str) -> None:
    why = check_url_shape(url)
    assert why is None or isinstance(why, str)
    if why is None:
        for finding in reachability_findings(url):
            assert finding.level in ("error", "warning")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())), status=st.sampled_from([200, 200, 200, 400, 401, 403, 404, 429, 466, 500, 502, 503, 302, 418]))
def test_any_answer_decodes_to_a_state_or_an_api_error(body: bytes, status: int) -> None:
    with mocked(all_fired=False) as mock:  # a 429 or 5xx is asked again; the pauses are skipped (conftest)
        mock.add(responses.GET, URL, body=body, status=status)
        with GreenApiClient(CREDENTIALS, timeout=1, backoff=0) as client:
            try:
                state = client.get_state_instance()
            except ApiError as error:
                assert error.code and error.message and error.hint
                assert TOKEN not in error.message + (error.hint or "")
            else:
                assert state is None or isinstance(state, str)


@given(json_values)
def test_any_notification_body_reads_as_one_line(body: object) -> None:
    line = one_line(body if isinstance(body, dict) else {"typeWebhook": body})
    assert isinstance(line, str) and "\n" not in line
