"""doctor's checks as plain functions of what was fetched: each problem named, with its fix."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from greencli.config.loader import RootOptions, resolve
from greencli.doctor.answers import Fetched
from greencli.doctor.checks import ORDER
from greencli.doctor.checks.account import check_link, check_phone, check_socket, check_state
from greencli.doctor.checks.connection import check_credentials, reachability_of, why_stopped
from greencli.doctor.checks.hygiene import check_hygiene
from greencli.doctor.checks.local import check_config
from greencli.doctor.checks.media import check_media
from greencli.doctor.checks.notifications import check_notifications, check_statuses
from greencli.doctor.checks.queues import check_incoming, check_queue
from greencli.doctor.facts import InstanceFacts, facts_of
from greencli.doctor.runner import _ask_other_host, run_checks
from greencli.errors import ApiError
from greencli.greenapi.credentials import Credentials, media_url_for
from greencli.greenapi.probes import HostProbe, probe_host
from tests.mocked_api import mocked

ID = "7103000001"


def fetched(value=None, error: ApiError | None = None) -> Fetched:
    return Fetched(value, error)


def facts(token: str, api_url: str, media_url: str | None = None, configured: bool = True) -> InstanceFacts:
    """The facts doctor derives once per run, for these credentials."""
    environ = {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token}
    if configured:
        environ["GREEN_API_URL"] = api_url
    if media_url:
        environ["GREEN_API_MEDIA_URL"] = media_url
    found = facts_of(resolve(RootOptions(), environ, Path("/nonexistent"), read_env_file=False))
    assert found.api_url == api_url
    return found


def api_error(code: str, status: int | None = None) -> ApiError:
    return ApiError(f"{code} happened", "do something", code=code, status=status)


@pytest.mark.parametrize(
    ("state", "status", "hint_words"),
    [
        ("authorized", "pass", None),
        ("notAuthorized", "fail", "greencli qr"),
        ("starting", "fail", "greencli reboot"),
        ("blocked", "fail", "support"),
        ("yellowCard", "fail", "greencli reboot"),
        ("sleepMode", "fail", "phone on"),
        (None, "fail", "notAuthorized means it is ready"),
        ("somethingNew", "fail", "console"),
    ],
)
def test_every_state_has_its_status_and_fix(state, status, hint_words) -> None:
    result = check_state(fetched(state))
    assert result.status == status
    if hint_words:
        assert hint_words in result.hint


def test_a_rejected_token_names_the_token(token: str) -> None:
    result = check_credentials(fetched(error=api_error("unauthorized", 401)), facts(token, "https://7103.api.greenapi.com"), lambda url: None)
    assert result.status == "fail" and "token" in result.message and "apiTokenInstance" in result.hint


def test_403_on_the_universal_host_invents_no_host_and_sends_to_the_console(token: str) -> None:
    # Hosts cannot be derived from the ID (1101... → 1101.api.green-api.com, pools share hosts):
    # https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/
    def probe(url: str) -> int:
        raise AssertionError(f"no documented host to ask: probed {url}")

    result = check_credentials(fetched(error=api_error("forbidden", 403)), facts(token, "https://api.green-api.com"), probe)
    assert result.status == "fail"
    assert "7103.api" not in result.hint and "apiUrl" in result.hint and "mediaUrl" in result.hint


def test_403_on_an_own_host_asks_only_the_documented_universal_host(token: str) -> None:
    probed = []

    def probe(url: str) -> int:
        probed.append(url)
        return 200

    result = check_credentials(fetched(error=api_error("forbidden", 403)), facts(token, "https://7103.api.greenapi.com"), probe)
    assert probed == ["https://api.greenapi.com"]  # documented, in the same domain spelling
    assert "not served by 7103.api.greenapi.com" in result.message
    assert "apiUrl" in result.hint and "GREEN_API_URL=" not in result.hint


def test_403_everywhere_means_the_instance_id_is_wrong(token: str) -> None:
    result = check_credentials(fetched(error=api_error("forbidden", 403)), facts(token, "https://7103.api.greenapi.com"), lambda url: 403)
    assert "GREEN_API_INSTANCE_ID" in result.hint and "Neither" in result.message


@pytest.mark.parametrize("status", [500, 502, 429])
def test_an_error_answer_during_the_credentials_check_is_not_a_rejection(token: str, status: int) -> None:
    result = check_credentials(fetched(error=api_error("server_error", status)), facts(token, "https://7103.api.greenapi.com"), lambda url: None)
    assert f"answered {status}" in result.message and "could not be checked" in result.message
    assert "not accepted" not in result.message and "rejected" not in result.message
    assert why_stopped(api_error("server_error", status)) == f"Green API answered {status}"
    assert why_stopped(api_error("unauthorized", 401)) == "the credentials were not accepted"


def test_no_answer_from_an_own_host_while_the_universal_host_answers_means_the_instance_is_up(token: str) -> None:
    # Resets and timeouts, not only 403 (https://github.com/t0mer/green-api-custom-notifier/issues/16).
    probed = []
    result = check_credentials(fetched(error=api_error("timeout")), facts(token, "https://7103.api.greenapi.com"),
                                 lambda url: probed.append(url) or 200)
    assert probed == ["https://api.greenapi.com"]
    assert "it is up" in result.message and "down or blocked" in result.message


def test_no_answer_from_either_host_means_the_instance_is_down(token: str) -> None:
    result = check_credentials(fetched(error=api_error("connection_failed")), facts(token, "https://7103.api.greenapi.com"), lambda url: None)
    assert "instance itself seems down" in result.message and "greencli reboot" in result.hint


def test_no_answer_from_the_universal_host_names_both_causes(token: str) -> None:
    def probe(url: str) -> int:
        raise AssertionError("nothing documented to compare with")

    result = check_credentials(fetched(error=api_error("timeout")), facts(token, "https://api.green-api.com"), probe)
    assert "temporary bridge" in result.message and "instance is down" in result.message
    assert "apiUrl" in result.hint


def probe_result(host: str, failure: str | None = None, **kw) -> HostProbe:
    return HostProbe(host, 443, failure, f"{host} {'failed' if failure else 'reachable'}", "check", [], **kw)


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


def test_probe_host_tells_refused_from_reset() -> None:
    import socket
    import threading

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    assert probe_host(f"http://127.0.0.1:{port}", 1.0, None).failure == "refused"

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def reset_each() -> None:
        connection, _ = server.accept()
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        connection.close()  # RST instead of FIN

    thread = threading.Thread(target=reset_each, daemon=True)
    thread.start()
    probe = probe_host(f"https://127.0.0.1:{server.getsockname()[1]}", 1.0, None)
    thread.join(2)
    server.close()
    assert probe.failure == "reset", probe


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


NOW = 1_800_000_000


def history(*states_ago: tuple[str, int]) -> Fetched:
    from greencli.greenapi.client import StateChange

    return fetched([StateChange(state, NOW - ago, "79001234567") for state, ago in states_ago])


def test_link_stability_several_drops_in_a_day_name_the_usual_causes() -> None:
    # https://green-api.com/en/docs/api/account/GetStateInstanceHistory/
    drops = history(("authorized", 60), ("notAuthorized", 600), ("authorized", 3600), ("blocked", 7200), ("authorized", 9000), ("notAuthorized", 20000))
    result = check_link(drops, NOW)
    assert result.status == "warn" and "3 times" in result.message
    for cause in ("phone offline", "regional block", "linked-device lock"):
        assert cause in result.hint


def test_link_stability_ignores_older_drops_and_passes_a_few() -> None:
    assert check_link(history(("notAuthorized", 600), ("notAuthorized", 3 * 86400), ("notAuthorized", 4 * 86400), ("notAuthorized", 5 * 86400)), NOW).status == "pass"
    assert check_link(history(), NOW).message == "The link has not dropped in the last 24 hours"
    assert check_link(fetched(error=api_error("not_found", 404)), NOW).status == "skip"
    assert check_link(fetched(error=api_error("server_error", 500)), NOW).status == "warn"


def test_delivery_statuses_off_is_an_informational_line_with_the_fix() -> None:
    off = check_statuses(fetched({"outgoingWebhook": "no"}))
    assert off.status == "pass"  # informational: not every bot tracks delivery
    assert "outgoingWebhook = no" in off.message and "greencli webhooks enable --status" in off.message
    on = {"outgoingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes"}
    assert check_statuses(fetched(on)).message.startswith("Delivery statuses are on")


def test_403_on_a_host_that_is_not_green_apis_is_never_probed(token: str) -> None:
    def probe(url: str) -> int:
        raise AssertionError("must not send the token to another host")

    result = check_credentials(fetched(error=api_error("forbidden", 403)), facts(token, "http://127.0.0.1:9"), probe)
    assert result.status == "fail" and "instance ID or the host" in result.message


@pytest.mark.parametrize(
    ("settings", "status", "words"),
    [
        ({"incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes", "stateWebhook": "yes", "webhookUrl": ""}, "pass", "polling"),
        ({"incomingWebhook": "no", "webhookUrl": ""}, "fail", "nothing will ever arrive"),
        ({"incomingWebhook": "yes", "webhookUrl": ""}, "warn", "not all on"),
        ({"incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes", "stateWebhook": "yes", "webhookUrl": "https://localhost/x"}, "fail", "cannot reach"),
        ({"incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes", "stateWebhook": "yes", "webhookUrl": "http://93.184.215.14/x"}, "warn", "plain http"),
    ],
)
def test_notifications(settings, status, words) -> None:
    result = check_notifications(fetched(settings), resolve_urls=False)
    assert result.status == status and words in result.message


def test_messages_waiting_while_not_authorized_are_stuck() -> None:
    # Counted with getMessagesCount: showMessagesQueue leaves out the first message
    # (https://green-api.com/en/forum/post/213), so ONE stuck message must fail too.
    queue = fetched(1)
    assert check_queue(queue, authorized=False).status == "fail"
    assert "stuck: 1 message waiting" in check_queue(queue, authorized=False).message
    assert check_queue(queue, authorized=True).status == "pass"
    assert check_queue(fetched(error=api_error("not_found", 404)), authorized=False).status == "skip"


def test_incoming_notifications_piling_up_in_polling_mode_warn_and_unknown_methods_skip() -> None:
    # The count is read with the client's typed getWebhooksCount (which accepts the Cyrillic
    # spelling some doc versions print: tests/test_client_queue_history_token_upload.py).
    polling = fetched({"webhookUrl": ""})
    assert check_incoming(fetched(80), polling).status == "warn"
    assert check_incoming(fetched(49), polling).status == "pass"
    assert check_incoming(fetched(0), polling).status == "pass"
    assert check_incoming(fetched(error=api_error("not_found", 404)), polling).status == "skip"


def test_socket_status_is_advisory_only() -> None:
    assert check_socket(fetched("offline"), "authorized").status == "warn"
    assert check_socket(fetched("online"), "authorized").status == "pass"
    assert "the instance is starting" in check_socket(fetched("offline"), "starting").message


def test_a_phone_linked_to_a_restricted_instance_is_still_named() -> None:
    result = check_phone(fetched({"phone": "79001234567"}), "yellowCard")
    assert result.status == "pass" and "+79001234567" in result.message and "yellowCard" in result.message
    assert "no phone is linked" in check_phone(fetched({"phone": ""}), "notAuthorized").message


def test_hygiene_fails_for_a_committed_env_and_a_token_in_code(tmp_path: Path, token: str) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    env = tmp_path / ".env"
    env.write_text(f"GREEN_API_TOKEN={token}\n")
    env.chmod(0o644)
    assert check_hygiene(env, token, tmp_path).status == "warn"  # not ignored, readable by others
    (tmp_path / "bot.py").write_text(f"token = '{token}'\n")
    subprocess.run(["git", "add", "bot.py", ".env"], cwd=tmp_path, check=True)
    result = check_hygiene(env, token, tmp_path)
    assert result.status == "fail" and "tracked by git" in result.message
    assert any("bot.py" in detail for detail in result.details)
    assert token not in result.message + (result.hint or "") + " ".join(result.details)


def test_config_reports_sources_and_shadowing(tmp_path: Path, token: str) -> None:
    (tmp_path / ".env").write_text(f"GREEN_API_INSTANCE_ID={ID}\nGREEN_API_TOKEN={token}\n")
    (tmp_path / ".env").chmod(0o600)
    resolution = resolve(RootOptions(), {"GREEN_API_INSTANCE_ID": "7103999999"}, tmp_path)
    result = check_config(resolution)
    assert result.status == "warn" and "overrides" in result.message
    assert "GREEN_API_TOKEN: from .env line 2" in result.details


def test_missing_credentials_skip_everything_after_configuration(tmp_path: Path) -> None:
    results = run_checks(resolve(RootOptions(), {}, tmp_path), tmp_path, lambda c: pytest.fail("no client"), 1.0).results
    by_id = {r.id: r for r in results}
    assert [r.id for r in results] == list(ORDER)
    assert by_id["config"].status == "fail"
    assert all(by_id[i].status == "skip" for i in ("reachability", "credentials", "state", "notifications", "queue"))


def test_new_api_calls_join_the_concurrent_phase_and_the_queue_is_counted(token: str, tmp_path: Path) -> None:
    import socket

    from greencli.greenapi.client import GreenApiClient

    listener = socket.socket()  # the reachability probes connect here; `responses` answers the API
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    root = f"{base}/waInstance{ID}"
    settings = {"incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingAPIMessageWebhook": "yes",
                "stateWebhook": "yes", "outgoingWebhook": "no", "webhookUrl": ""}
    with mocked() as api:
        api.get(f"{root}/getStateInstance/{token}", json={"stateInstance": "notAuthorized"})
        api.get(f"{root}/getStatusInstance/{token}", json={"statusInstance": "offline"})
        api.get(f"{root}/getWaSettings/{token}", json={"phone": ""})
        api.get(f"{root}/getSettings/{token}", json=settings)
        api.get(f"{root}/getMessagesCount/{token}", json={"count": 1})
        api.get(f"{root}/getWebhooksCount/{token}", json={"count": 0})
        api.get(f"{root}/GetStateInstanceHistory/{token}", json=[])
        resolution = resolve(RootOptions(instance_id=ID, token=token, api_url=base), {}, tmp_path)
        results = run_checks(resolution, tmp_path, lambda c: GreenApiClient(c, timeout=2, backoff=0), 2.0).results
        called = [call.request.url.split("/")[4] for call in api.calls]
    listener.close()
    by_id = {r.id: r for r in results}
    assert [r.id for r in results] == list(ORDER)
    assert "showMessagesQueue" not in called and called.count("getMessagesCount") == 1
    assert sorted(called) == sorted(["getStateInstance", "getStatusInstance", "getWaSettings", "getSettings",
                                     "getMessagesCount", "getWebhooksCount", "GetStateInstanceHistory"])
    assert by_id["queue"].status == "fail" and "1 message" in by_id["queue"].message
    assert by_id["statuses"].hint == "greencli webhooks enable --status"
    assert by_id["link"].status == "pass" and by_id["media"].status == "pass"


def test_the_403_probe_asks_the_factory_for_its_client_with_short_limits(token) -> None:
    """doctor builds no client of its own: the probe of the universal host goes through the
    run's factory too (greencli.cli.context.RunContext.new_client)."""

    from greencli.greenapi.client import GreenApiClient
    from greencli.greenapi.credentials import universal_api_url

    made: list[tuple[str, float | None, float | None]] = []

    def make_client(credentials, *, timeout=None, backoff=None):
        made.append((credentials.api_url, timeout, backoff))
        return GreenApiClient(credentials, timeout=timeout or 10.0, backoff=0 if backoff is None else backoff)

    own = "https://7103.api.greenapi.com"
    universal = universal_api_url(own)
    own_facts = facts(token, own)
    with mocked() as api:
        api.get(f"{universal}/waInstance{ID}/getStateInstance/{token}", json={"stateInstance": "authorized"})
        result = check_credentials(
            fetched(error=api_error("forbidden", 403)), own_facts, lambda url: _ask_other_host(url, own_facts, 8.0, make_client)
        )
    assert made == [(universal, 5.0, 0)]
    assert result.status == "fail"
