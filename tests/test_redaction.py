"""redact/mask/register: the token never survives in text greencli prints."""

from __future__ import annotations

import pytest

from greencli.redaction import Redactor, mask, redact, redacting_with, register
from tests.conftest import token_leaks


@pytest.mark.parametrize("length", [16, 17, 20, 32, 50, 64])
def test_mask_shows_at_most_first_and_last_four(length: int) -> None:
    secret = "".join(chr(ord("a") + i % 26) for i in range(length))
    masked = mask(secret)
    assert masked.startswith(secret[:4])
    assert masked.endswith(secret[-4:])
    # Nothing but the 4+4 characters and a separator.
    assert len(masked) <= 9
    assert secret[4:-4] not in masked


@pytest.mark.parametrize("secret", ["a", "abc", "abcdefgh", "0123456789abcde"])
def test_mask_hides_short_secrets_completely(secret: str) -> None:
    masked = mask(secret)
    assert masked == "****"
    assert secret not in masked


@pytest.mark.parametrize("secret", [None, ""])
def test_mask_of_nothing_says_not_set(secret: str | None) -> None:
    assert mask(secret) == "(not set)"


def test_mask_of_real_token(token: str) -> None:
    assert mask(token) == f"{token[:4]}…{token[-4:]}"
    assert not token_leaks(mask(token), token, window=5)


def test_redact_removes_registered_secret() -> None:
    secret = "not-hex-at-all-but-secret-XYZ"
    assert redact(f"value is {secret}!") == f"value is {secret}!"  # unknown: left alone
    register(secret)
    out = redact(f"value is {secret}!")
    assert secret not in out
    assert out == f"value is {mask(secret)}!"


def test_register_strips_whitespace_and_ignores_blank() -> None:
    secret = "another-secret-value-123"
    register(f"  {secret}\n")
    register("   ")
    register(None)
    assert secret not in redact(f"x{secret}x")
    assert redact("a   b") == "a   b"


def test_secrets_belong_to_their_run() -> None:
    secret = "forgettable-secret-value"
    register(secret)
    assert secret not in redact(secret)
    with redacting_with(Redactor()):  # another run knows nothing of it
        assert redact(secret) == secret
        register("another-runs-secret-1")
    assert secret not in redact(secret)  # back in the first run, which still knows its own
    assert redact("another-runs-secret-1") == "another-runs-secret-1"


def test_a_cli_run_masks_what_it_saw_and_forgets_it_when_it_ends(run_cli) -> None:
    odd = "not-a-hex-token-but-a-secret-2024"  # nothing about its shape gives it away
    result = run_cli(["--token", odd, "--instance-id", "1101000001", "check-state", "--bogus"])
    assert result.exit_code == 2 and odd not in result.stderr
    assert redact(odd) == odd  # the run's Redactor went with the run


def test_work_in_a_copied_context_is_masked_by_the_same_run() -> None:
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    secret = "thread-visible-secret-value"
    register(secret)
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(contextvars.copy_context().run, redact, secret).result() != secret


def test_longer_secret_replaced_whole_when_it_contains_a_shorter_one() -> None:
    short = "secretpart-0001"
    long = "prefix-" + short + "-suffix-9999"
    register(short)
    register(long)
    out = redact(f"[{long}]")
    assert short not in out and long not in out
    assert out == f"[{mask(long)}]"


def test_redact_removes_unregistered_50_hex(token: str) -> None:
    out = redact(f"token={token} end")
    assert not token_leaks(out, token, window=5)
    assert out == f"token={mask(token)} end"


def test_redact_removes_uppercase_hex_token() -> None:
    secret = "ABCDEF0123" * 5
    assert secret not in redact(f"x {secret} y")


def test_redact_keeps_hex_of_other_lengths() -> None:
    # A 40-hex git SHA or a 64-hex hash is not a token shape.
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert redact(f"commit {sha}") == f"commit {sha}"


@pytest.mark.parametrize(
    "template",
    [
        "https://api.green-api.com/waInstance1101000001/getStateInstance/{t}",
        "GET /waInstance1101000001/sendMessage/{t} HTTP/1.1",
        "https://7103.api.greenapi.com/waInstance7103000001/deleteNotification/{t}/12345",
        "https://api.green-api.com/waInstance1101000001/lastOutgoingMessages/{t}?minutes=60",
        "https://api.green-api.com/waInstance1101000001/qr/{t}#frag",
        "Max retries exceeded with url: /waInstance1101000001/getSettings/{t} (Caused by X)",
        "'/waInstance1101000001/getSettings/{t}'",
    ],
)
def test_redact_token_segment_in_path(template: str, token: str) -> None:
    # An unregistered token of any shape is still removed from a request path.
    for secret in (token, "short-odd-token_value", "NotHexButLongEnoughToMatter-123456"):
        out = redact(template.format(t=secret))
        assert secret not in out, out
        assert "/waInstance" in out  # the rest of the URL is kept


def test_redact_path_keeps_receipt_id_and_query(token: str) -> None:
    out = redact(f"https://h/waInstance1101000001/deleteNotification/{token}/987654")
    assert out.endswith("/987654")
    assert token not in out
    out = redact(f"https://h/waInstance1101000001/receiveNotification/{token}?receiveTimeout=20")
    assert out.endswith("?receiveTimeout=20")
    assert token not in out


def test_redact_path_does_not_double_mask(token: str) -> None:
    register(token)
    out = redact(f"/waInstance1101000001/getStateInstance/{token}")
    assert out == f"/waInstance1101000001/getStateInstance/{mask(token)}"
    # Redacting again changes nothing.
    assert redact(out) == out


def test_redact_accepts_any_object(token: str) -> None:
    error = RuntimeError(f"failed at /waInstance1/getSettings/{token}")
    out = redact(error)
    assert isinstance(out, str)
    assert token not in out


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "Green API answered 500 for getStateInstance: oops (1101000001)."
    assert redact(text) == text


# -- echoes a server may send back (issue 14, finding 7) ---------------------------------------


def test_percent_encoded_and_case_changed_echoes_are_masked(token: str) -> None:
    register(token)
    every_byte_encoded = "".join(f"%{ord(c):02X}" for c in token)
    some_encoded = token[:10] + "".join(f"%{ord(c):02x}" for c in token[10:20]) + token[20:]
    for echo in (token.upper(), every_byte_encoded, every_byte_encoded.lower(), some_encoded, token[:30].upper()):
        text = redact(f"the server said: {echo}!")
        assert not token_leaks(text, token), text
        assert echo not in text


def test_non_hex_tokens_are_masked_in_any_case() -> None:
    secret = "Odd_Token-With.Letters~12345"
    register(secret)
    assert secret.lower() not in redact(f"echo {secret.lower()} {secret.upper()}").lower()


@pytest.mark.parametrize("short", [":", "ab", "1234567"])
def test_short_secrets_are_never_remembered(short: str) -> None:
    """Masking ":" would turn every colon of the output into stars (and JSON into garbage)."""
    register(short)
    assert redact('{"ok": false, "a:b": 1234567}') == '{"ok": false, "a:b": 1234567}'


def test_any_20_character_piece_of_a_known_secret_is_masked(token) -> None:
    register(token)
    for piece in (token[:20], token[7:33], token[-25:]):
        masked = redact(f"value={piece}!")
        assert piece not in masked and masked.startswith("value=") and masked.endswith("!")


def _separated(secret: str, every: int, separator: str) -> str:
    return separator.join(secret[start : start + every] for start in range(0, len(secret), every))


@pytest.mark.parametrize(
    ("every", "separator"),
    [(4, "-"), (5, " "), (2, ":"), (1, " "), (3, "\u00a0"), (10, " - "), (4, "\u200b"), (8, "\n")],
)
def test_a_token_echoed_with_separators_is_masked(token: str, every: int, separator: str) -> None:
    with redacting_with(Redactor()):
        register(token)
        echoed = _separated(token, every, separator)
        masked = redact(f"Your token is {echoed}, keep it safe.")
    assert masked.startswith("Your token is ") and masked.endswith(", keep it safe.")
    bare = "".join(c for c in masked if c.isalnum())
    assert not token_leaks(bare, token, window=12), masked


def test_a_cut_short_token_echoed_with_separators_is_masked(token: str) -> None:
    with redacting_with(Redactor()):
        register(token)
        masked = redact("first part: " + _separated(token[5:35].upper(), 4, "-"))
    assert not token_leaks("".join(c for c in masked if c.isalnum()).lower(), token, window=20), masked


def test_separated_masking_leaves_ordinary_text_alone(token: str) -> None:
    text = "state: authorized - 12:30, ok. 7900-123-45-67 / a b c d e f 0 1 2 3"
    with redacting_with(Redactor()):
        register(token)
        assert redact(text) == text


@pytest.mark.parametrize(
    "url",
    [
        "https://bob:hunter2-secret@bot.example/hook",
        "http://bob:p@ss:w0rd@127.0.0.1:8080/x?y=1",
        "HTTPS://:only-password@bot.example",
        "https://bob:%40encoded%3A@bot.example/",
    ],
)
def test_the_password_of_a_url_is_masked(url: str) -> None:
    from urllib.parse import urlsplit

    password = urlsplit(url).password
    assert password
    masked = redact(f"webhook URL {url} and {{\"url\": \"{url}\"}}")
    assert password not in masked and masked.count(":****@") == 2, masked
    assert urlsplit(masked.split()[2]).hostname == urlsplit(url).hostname


def test_urls_without_a_password_are_left_alone() -> None:
    text = "https://bot.example:8443/hook http://user@host/ https://h/a:b@c"
    assert redact(text) == text


def test_a_secret_holding_backslashes_is_masked_not_read_as_a_template() -> None:
    secret = "abc\\3def\\g<0>ghijklmnop"
    with redacting_with(Redactor()):
        register(secret)
        masked = redact(f"echo: {secret.upper()}")
    assert masked == f"echo: {mask(secret)}"
