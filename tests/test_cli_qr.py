"""`greencli qr` when the picture cannot be redrawn: the PNG is kept and another way offered."""

from __future__ import annotations

import base64

import responses

from tests.mocked_api import ID, mocked, url


def test_an_unreadable_qr_picture_is_saved_and_the_pairing_code_suggested(run_cli, token, assert_no_token, tmp_path) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n not really a picture").decode()
    with mocked() as api:
        api.add(responses.GET, url("qr", token), json={"type": "qrCode", "message": png})
        result = run_cli(["qr", "--once", "--save", "code.png"], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token})
    assert result.exit_code == 0
    assert "saved at code.png" in result.stdout and "--phone" in result.stdout
    assert (tmp_path / "code.png").read_bytes().startswith(b"\x89PNG")
    assert_no_token(result, token)


def test_qr_error_answer_exits_1_with_the_logout_fix(run_cli, token, assert_no_token) -> None:
    with mocked() as api:
        api.add(
            responses.GET,
            url("qr", token),
            json={"type": "error", "message": "Instance has auth. You need to make log out"},
        )
        result = run_cli(["qr", "--json"], env={"GREEN_API_INSTANCE_ID": ID, "GREEN_API_TOKEN": token})
    assert result.exit_code == 1
    assert "greencli logout" in result.stdout  # the JSON error's hint
    assert_no_token(result, token)


def test_qr_save_to_a_missing_directory_is_refused_before_any_request(run_cli, token) -> None:
    env = {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": token, "GREEN_API_URL": "http://127.0.0.1:9"}
    result = run_cli(["qr", "--once", "--save", "no/such/dir/code.png"], env=env)
    assert result.exit_code == 2 and "does not exist" in result.stderr
    directory = run_cli(["qr", "--once", "--save", "."], env=env)
    assert directory.exit_code == 2 and "is a directory" in directory.stderr
