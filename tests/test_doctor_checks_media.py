"""doctor's media check: the media host files go to, never an invented one."""

from __future__ import annotations

from greencli.doctor.checks.connection import reachability_of
from greencli.doctor.checks.media import check_media
from greencli.greenapi.credentials import Credentials, media_url_for
from tests.doctor_inputs import ID, facts, probe_result


def test_media_host_is_the_media_url_or_the_universal_one_never_an_invented_one(token: str) -> None:
    assert media_url_for(Credentials(ID, token, "https://7103.api.greenapi.com", "https://7103.media.greenapi.com"))[0] == "https://7103.media.greenapi.com"
    assert media_url_for(Credentials(ID, token, "https://api.green-api.com"))[0] == "https://media.green-api.com"
    assert media_url_for(Credentials(ID, token, "https://7103.api.greenapi.com"))[0] == "https://media.greenapi.com"
    assert media_url_for(Credentials(ID, token, "http://127.0.0.1:7000"))[0] == "http://127.0.0.1:7000"  # a sandbox serves both
    assert facts(token, "http://127.0.0.1:7000").media_is_api_host


def test_media_check_names_file_sending_and_a_missing_media_url(token: str) -> None:
    failed = check_media(facts(token, "https://api.green-api.com"), probe_result("media.green-api.com", "dns"))
    assert failed.status == "fail" and "sending files will fail" in failed.message
    unset = check_media(facts(token, "https://7103.api.greenapi.com"), probe_result("media.greenapi.com"))
    assert unset.status == "warn" and "GREEN_API_MEDIA_URL" in unset.hint
    good = check_media(facts(token, "https://7103.api.greenapi.com", "https://7103.media.greenapi.com"), probe_result("7103.media.greenapi.com"))
    assert good.status == "pass"


def test_the_universal_host_is_a_temporary_bridge_even_when_reachable(token: str) -> None:
    # https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/
    result = reachability_of(probe_result("api.green-api.com"), facts(token, "https://api.green-api.com", configured=False))
    assert result.status == "warn"
    assert "no GREEN_API_URL is set" in result.message and "temporary bridge" in result.message and "firewalls" in result.message
    assert "console.green-api.com" in result.hint and "GREEN_API_MEDIA_URL" in result.hint
    own = reachability_of(probe_result("7103.api.greenapi.com"), facts(token, "https://7103.api.greenapi.com"))
    assert own.status == "pass"


def test_a_reset_universal_host_while_the_media_host_answers_is_a_blocked_bridge(token: str) -> None:
    media = probe_result("media.green-api.com")
    universal = facts(token, "https://api.green-api.com")
    result = reachability_of(probe_result("api.green-api.com", "reset"), universal, lambda: media)
    assert result.status == "fail" and "blocks Green API's universal host" in result.message
    assert "apiUrl" in result.hint
    neither = reachability_of(probe_result("api.green-api.com", "timeout"), universal, lambda: probe_result("media.green-api.com", "timeout"))
    assert "or this network blocks Green API" in neither.message
