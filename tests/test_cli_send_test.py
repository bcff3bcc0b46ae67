"""send-test against Green API mocked with `responses`: quotas, statuses and interruptions."""

from __future__ import annotations

import json

import pytest

from tests.mocked_api import API, ID, MEDIA, methods, mocked, url


@pytest.fixture
def api():
    """Strict about requests no mock answers (tests.mocked_api); a mock may go unused."""
    with mocked(all_fired=False) as mock:
        yield mock


@pytest.fixture
def env(token: str) -> dict[str, str]:
    return {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token, "GREEN_API_URL": API}


def test_a_number_check_whatsapp_would_refuse_spends_no_request(api, run_cli, env, assert_no_token, token) -> None:
    # checkWhatsapp: 400 "bad phone number, valid from 11 to 16 digits"
    # (https://green-api.com/en/docs/api/service/CheckWhatsapp/)
    result = run_cli(["send-test", "+354 555 1234", "--json"], env=env)
    assert_no_token(result, token)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "invalid_phone" and "11 to 16" in error["message"] and "--no-check" in error["hint"]
    assert len(api.calls) == 0


# -- through the whole command, against a sandbox in this process --------------------------------


def test_a_sent_message_reports_its_id_and_how_the_number_was_checked(run_cli, local_sandbox, assert_no_token) -> None:
    env, running = local_sandbox(state="authorized")
    result = run_cli(["send-test", "+7 (900) 123-45-67", "--json"], env=env)
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["chatId"] == "79001234567@c.us" and document["whatsappCheck"] == "passed"
    assert document["idMessage"] and document["status"] is None
    assert_no_token(result, running.instance.token)


def test_the_human_rendering_names_the_next_step(run_cli, local_sandbox) -> None:
    env, _ = local_sandbox(state="authorized")
    result = run_cli(["send-test", "79001234567", "--no-check", "-m", "hi"], env=env)
    assert result.exit_code == 0
    assert result.stdout.startswith("ok   Test message sent to +79001234567")
    assert "Follow its delivery with --wait" in result.stdout


def test_an_unlinked_instance_sends_nothing_and_exits_1(run_cli, local_sandbox) -> None:
    env, running = local_sandbox(state="notAuthorized")
    result = run_cli(["send-test", "79001234567", "--json"], env=env)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "not_authorized"


def test_an_empty_message_is_a_usage_error(run_cli, token) -> None:
    env = {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token, "GREEN_API_URL": "http://127.0.0.1:9"}
    result = run_cli(["send-test", "79001234567", "-m", "  "], env=env)
    assert result.exit_code == 2 and "--message is empty" in result.stderr


def test_wait_follows_the_message_and_a_failed_delivery_exits_1(run_cli, api, token, instant_polls) -> None:
    env = {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token}
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.post(url("sendMessage", token), json={"idMessage": "ABC"})
    api.get(url("getSettings", token), json={"wid": "79990000000@c.us", "outgoingWebhook": "yes"})
    api.post(url("getMessage", token), json={"statusMessage": "sent"})
    api.post(url("getMessage", token), json={"statusMessage": "noAccount"})
    result = run_cli(["send-test", "79001234567", "--no-check", "--wait", "10"], env=env)
    assert result.exit_code == 1
    assert "Test message not delivered to +79001234567" in result.stdout
    assert "The recipient has no WhatsApp account" in result.stdout
    assert methods(api) == ["getStateInstance", "sendMessage", "getSettings", "getMessage", "getMessage"]


def test_a_token_typed_as_a_phone_number_is_masked_before_it_is_cut_short(run_cli, token, assert_no_token) -> None:
    result = run_cli(["send-test", token], env={"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token})
    assert result.exit_code == 2
    assert_no_token(result, token)
    glued = run_cli(["send-test", f"79001234567@{token}"], env={"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token})
    assert glued.exit_code == 2
    assert_no_token(glued, token)


# -- send-test --file: sendFileByUpload on the media host ---------------------------------------
# https://green-api.com/en/docs/api/sending/SendFileByUpload/ : a multipart form (chatId, file,
# fileName, caption) at {mediaUrl}/waInstance{id}/sendFileByUpload/{token}; files up to 100 MB.

def media_url(token: str) -> str:
    """Uploads go to the universal media host, for the universal apiUrl."""
    return url("sendFileByUpload", token, MEDIA)


@pytest.fixture
def photo(tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "window.jpg"
    path.write_bytes(b"\xff\xd8\xff fake jpeg")
    return str(path)


def authorized(api, token: str, on_whatsapp: bool = True) -> None:  # type: ignore[no-untyped-def]
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.post(url("checkWhatsapp", token), json={"existsWhatsapp": on_whatsapp})


def test_a_file_goes_to_the_media_host_as_a_multipart_upload(run_cli, api, env, token, photo, assert_no_token) -> None:
    authorized(api, token)
    api.post(media_url(token), json={"idMessage": "3EB0C767D097B7C7C030", "urlFile": "https://example.invalid/window.jpg"})
    result = run_cli(["send-test", "79001234567", "--file", photo, "-m", "a window", "--json"], env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert_no_token(result, token)
    document = json.loads(result.stdout)
    assert document["chatId"] == "79001234567@c.us" and document["idMessage"] == "3EB0C767D097B7C7C030"
    assert document["file"] == {
        "name": "window.jpg", "size": 13, "mimeType": "image/jpeg", "sentAs": "image", "urlFile": "https://example.invalid/window.jpg",
    }
    assert document["mediaHost"]["host"] == "media.green-api.com"
    assert document["monthlyQuota"] == {"method": "sendFileByUpload", "developerPlan": 1000}
    assert methods(api)[:2] == ["getStateInstance", "checkWhatsapp"]
    upload = api.calls[2].request
    assert upload.url == media_url(token)
    assert upload.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    for part in (b'name="chatId"', b"79001234567@c.us", b'name="fileName"', b'name="caption"', b"a window",
                 b'name="file"; filename="window.jpg"', b"\xff\xd8\xff fake jpeg"):
        assert part in upload.body


def test_the_console_media_url_wins(run_cli, api, env, token, photo) -> None:
    own = "https://1101.media.greenapi.com"
    authorized(api, token)
    api.post(f"{own}/waInstance{ID}/sendFileByUpload/{token}", json={"idMessage": "ABC"})
    result = run_cli(["send-test", "79001234567", "--file", photo], env={**env, "GREEN_API_MEDIA_URL": own})
    assert result.exit_code == 0, result.stderr
    assert "1101.media.greenapi.com, GREEN_API_MEDIA_URL" in result.stdout


def test_the_human_rendering_says_the_plan_counts_file_sends(run_cli, api, env, token, photo) -> None:
    authorized(api, token)
    api.post(media_url(token), json={"idMessage": "ABC"})
    result = run_cli(["send-test", "79001234567", "--file", photo], env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok   Test file sent to +79001234567")
    assert "window.jpg (13 bytes, sent as an image)" in result.stdout
    assert "developer (free) plan's 1,000 a month" in result.stdout
    # No --message: a clearly marked test caption (an image shows it).
    assert b"greencli test file" in api.calls[2].request.body


def test_a_lost_answer_to_an_upload_is_possibly_sent_and_never_retried(run_cli, api, env, token, photo, assert_no_token) -> None:
    authorized(api, token)
    api.post(media_url(token), status=502, body="Bad Gateway")
    result = run_cli(["send-test", "79001234567", "--file", photo, "--json"], env=env)
    assert result.exit_code == 3
    assert_no_token(result, token)
    assert json.loads(result.stdout)["error"]["code"] == "possibly_sent"
    assert methods(api).count("sendFileByUpload") == 1


def test_an_unlinked_instance_uploads_nothing(run_cli, api, env, token, photo) -> None:
    api.get(url("getStateInstance", token), json={"stateInstance": "notAuthorized"})
    result = run_cli(["send-test", "79001234567", "--file", photo, "--json"], env=env)
    assert result.exit_code == 1 and json.loads(result.stdout)["error"]["code"] == "not_authorized"
    assert methods(api) == ["getStateInstance"]


def test_a_number_without_whatsapp_uploads_nothing_and_no_check_skips_the_check(run_cli, api, env, token, photo) -> None:
    authorized(api, token, on_whatsapp=False)
    result = run_cli(["send-test", "79001234567", "--file", photo], env=env)
    assert result.exit_code == 1 and "no WhatsApp" in result.stderr
    assert "sendFileByUpload" not in methods(api)
    api.post(media_url(token), json={"idMessage": "ABC"})
    skipped = run_cli(["send-test", "79001234567", "--file", photo, "--no-check", "--json"], env=env)
    assert skipped.exit_code == 0 and json.loads(skipped.stdout)["whatsappCheck"] == "skipped"
    assert methods(api)[-2:] == ["getStateInstance", "sendFileByUpload"]


def test_wait_follows_an_uploaded_file_like_a_text(run_cli, api, env, token, photo, instant_polls) -> None:
    authorized(api, token)
    api.post(media_url(token), json={"idMessage": "ABC"})
    api.get(url("getSettings", token), json={"outgoingWebhook": "yes"})  # statuses on: followed past sent
    api.post(url("getMessage", token), json={"statusMessage": "delivered"})
    result = run_cli(["send-test", "79001234567", "--file", photo, "--wait", "10", "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "delivered"
    assert json.loads(api.calls[-1].request.body)["idMessage"] == "ABC"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [("README", b"x", "no extension"), ("empty.pdf", b"", "is empty"), ("missing.jpg", None, "does not exist")],
)
def test_a_bad_file_is_a_usage_error_before_any_request(run_cli, api, env, tmp_path, name, content, expected) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = run_cli(["send-test", "79001234567", "--file", str(path), "--json"], env=env)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "invalid_file" and expected in error["message"] and error["hint"]
    assert len(api.calls) == 0


def test_a_caption_on_a_document_is_sent_with_a_warning(run_cli, api, env, token, tmp_path) -> None:
    # SendFileByUpload: "Caption added to video, images."
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4")
    authorized(api, token)
    api.post(media_url(token), json={"idMessage": "ABC"})
    result = run_cli(["send-test", "79001234567", "--file", str(path), "-m", "the report"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "only under images and video" in result.stderr
    assert b"the report" in api.calls[2].request.body



def follow_env(token: str) -> dict[str, str]:
    return {"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token}


def test_follow_reads_an_existing_message_without_sending_again(run_cli, api, token, instant_polls) -> None:
    api.get(url("getSettings", token), json={"wid": "79990000000@c.us", "outgoingWebhook": "yes"})
    api.post(url("getMessage", token), json={"statusMessage": "read"})
    result = run_cli(["send-test", "+7 900 123-45-67", "--follow", "3EB0C767D097B7C7C030", "--json"], env=follow_env(token))
    assert result.exit_code == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["idMessage"] == "3EB0C767D097B7C7C030" and document["status"] == "read"
    assert "sendMessage" not in methods(api) and "getStateInstance" not in methods(api)


def test_follow_of_an_id_the_journal_does_not_hold_is_not_a_success(run_cli, api, token, instant_polls) -> None:
    # Exit 1 (message_not_found): the check ran and found nothing to follow; exit 0 would tell a
    # script the message was followed.
    api.get(url("getSettings", token), json={"wid": "79990000000@c.us", "outgoingWebhook": "yes"})
    api.post(url("getMessage", token), status=400, json={"message": "message not found"})
    result = run_cli(["send-test", "79001234567", "--follow", "3EB0C767D097B7C7C030", "--json"], env=follow_env(token))
    assert result.exit_code == 1, result.stdout + result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "message_not_found"
    assert error["details"]["idMessage"] == "3EB0C767D097B7C7C030" and error["details"]["journalReads"] >= 1
    human = run_cli(["send-test", "79001234567", "--follow", "3EB0C767D097B7C7C030"], env=follow_env(token))
    assert human.exit_code == 1 and "is not in the journal of" in human.stderr
    assert "ok" not in human.stdout and "followed" not in human.stdout


def test_follow_of_a_message_of_another_chat_is_not_a_success(run_cli, api, token, instant_polls) -> None:
    api.get(url("getSettings", token), json={"wid": "79990000000@c.us", "outgoingWebhook": "yes"})
    api.post(url("getMessage", token), json={"idMessage": "3EB0C767D097B7C7C030", "chatId": "79112223344@c.us",
                                                 "type": "outgoing", "statusMessage": "read"})
    result = run_cli(["send-test", "79001234567", "--follow", "3EB0C767D097B7C7C030", "--json"], env=follow_env(token))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "message_not_found"
    assert methods(api).count("getMessage") == 1  # no read spent after the answer that settles it


def test_follow_refuses_a_message_and_a_malformed_id(run_cli, token) -> None:
    with_message = run_cli(["send-test", "79001234567", "--follow", "3EB0C767D097B7C7C030", "-m", "hi"], env=follow_env(token))
    assert with_message.exit_code == 2 and "--follow sends nothing" in with_message.stderr
    malformed = run_cli(["send-test", "79001234567", "--follow", "a b"], env=follow_env(token))
    assert malformed.exit_code == 2 and "not a message ID" in malformed.stderr


# A message to the own number never gets past sent (https://green-api.com/en/docs/api/sending/SendMessage/).
def test_wait_on_a_message_to_the_own_number_stops_at_sent_and_says_why(run_cli, api, token, instant_polls) -> None:
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.post(url("sendMessage", token), json={"idMessage": "ABC123"})
    api.get(url("getSettings", token), json={"wid": "79001234567@c.us", "outgoingWebhook": "yes"})
    api.post(url("getMessage", token), json={"statusMessage": "sent"})
    result = run_cli(["send-test", "79001234567", "--no-check", "--wait", "120"], env=follow_env(token))
    assert result.exit_code == 0
    assert "own number stays at `sent`" in result.stdout
    assert methods(api).count("getMessage") == 1


def test_wait_with_statuses_off_names_the_fix(run_cli, api, token, instant_polls) -> None:
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.post(url("sendMessage", token), json={"idMessage": "ABC123"})
    api.get(url("getSettings", token), json={"wid": "79990000000@c.us", "outgoingWebhook": "no"})
    api.post(url("getMessage", token), json={"statusMessage": "sent"})
    result = run_cli(["send-test", "79001234567", "--no-check", "--wait", "120", "--json"], env=follow_env(token))
    document = json.loads(result.stdout)
    assert document["stoppedBecause"] == "statusesOff" and document["journalReads"] == 1
    human = run_cli(["send-test", "79001234567", "--no-check", "--follow", "ABC123"], env=follow_env(token))
    assert "greencli webhooks enable --status" in human.stdout


def test_ctrl_c_while_following_names_the_sent_message_and_never_says_run_again(run_cli, api, token, monkeypatch) -> None:
    from greencli.flows import weather

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(weather, "poll_through", interrupted)
    api.get(url("getStateInstance", token), json={"stateInstance": "authorized"})
    api.post(url("sendMessage", token), json={"idMessage": "ABC123"})
    api.get(url("getSettings", token), json={"wid": "79990000000@c.us", "outgoingWebhook": "yes"})
    result = run_cli(["send-test", "79001234567", "--no-check", "--wait", "120"], env=follow_env(token))
    assert result.exit_code == 130
    assert "ABC123" in result.stderr and "was sent" in result.stderr
    assert "--follow ABC123" in result.stderr and "Run the command again" not in result.stderr
    as_json = run_cli(["send-test", "79001234567", "--no-check", "--wait", "120", "--json"], env=follow_env(token))
    error = json.loads(as_json.stdout)["error"]
    assert error["code"] == "interrupted" and error["details"]["idMessage"] == "ABC123"
    assert methods(api).count("sendMessage") == 2  # one per run: never sent again by greencli
