"""The output layer redacts on its own (defence in depth) and keeps hostile text inert."""

from __future__ import annotations

import io
import json

import pytest

from greencli.cli.output import Output, styled
from greencli.errors import ApiError
from tests.conftest import token_leaks


def make_output(json_mode: bool = False) -> tuple[Output, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Output(json_mode=json_mode, stdout=out, stderr=err), out, err


def secret_url(token: str) -> str:
    return f"https://api.green-api.com/waInstance1101000001/getStateInstance/{token}"


def test_plain_lines_are_redacted(token: str) -> None:
    output, out, err = make_output()
    assert not output.rich_out and not output.rich_err  # StringIO is not a terminal
    output.line("GET ", styled(secret_url(token), "bold"))
    output.fields([("URL", secret_url(token)), ("Token", token)])
    output.status_line("fail", f"bad {token}", hint=f"see {secret_url(token)}")
    output.warn(f"warned {token}", f"hint {token}")
    output.progress(f"progress {token}")
    for text in (out.getvalue(), err.getvalue()):
        assert not token_leaks(text, token), text
    assert "waInstance1101000001/getStateInstance/" in out.getvalue()
    assert "warning: warned" in err.getvalue()
    assert "progress" in err.getvalue()


def test_json_documents_are_redacted(token: str) -> None:
    output, out, err = make_output(json_mode=True)
    output.json_document({"url": secret_url(token), "token": token})
    output.json_line({"url": secret_url(token)})
    text = out.getvalue()
    assert not token_leaks(text, token)
    first, second = text.split("\n}\n")
    assert json.loads(first + "}")["url"].startswith("https://api.green-api.com/waInstance1101000001/")
    assert json.loads(second)["url"].endswith(token[-4:])
    assert err.getvalue() == ""


def test_progress_is_quiet_in_json_mode(token: str) -> None:
    output, out, err = make_output(json_mode=True)
    output.progress("working")
    with output.spinner("spinning") as update:
        update("still")
    assert out.getvalue() == "" and err.getvalue() == ""


def test_result_json_or_render() -> None:
    output, out, _ = make_output(json_mode=True)
    output.result({"ok": True}, lambda: output.line("human"))
    assert json.loads(out.getvalue()) == {"ok": True}
    output, out, _ = make_output()
    output.result({"ok": True}, lambda: output.line("human"))
    assert out.getvalue() == "human\n"


def test_error_output_modes(token: str) -> None:
    error = ApiError(f"failed {secret_url(token)}", f"hint {token}", code="server_error")
    output, out, err = make_output(json_mode=True)
    output.error(error)
    data = json.loads(out.getvalue())
    assert data["ok"] is False
    assert data["error"]["code"] == "server_error"
    assert set(data["error"]) == {"code", "message", "hint"}
    assert not token_leaks(out.getvalue(), token)
    assert err.getvalue() == ""

    output, out, err = make_output()
    output.error(error)
    assert out.getvalue() == ""
    assert err.getvalue().startswith("error: failed ")
    assert "\nhint: hint " in err.getvalue()
    assert not token_leaks(err.getvalue(), token)


# -- hostile text (issue 14): shown, never interpreted ----------------------------------------

HOSTILE = "a\x1b]0;T\x07\x1b[2J\x7f\x9b\u202e\u2066\u200b\U000e0041\ud800[/x][link=https://e.example]l[/link]z"
RAW = ("\x1b", "\x07", "\x7f", "\x9b", "\u202e", "\u2066", "\u200b", "\U000e0041", "\ud800")


def test_visible_escapes_controls_c1_bidi_and_invisible_characters() -> None:
    from greencli.cli.output import visible

    text = visible(HOSTILE)
    assert not any(raw in text for raw in RAW)
    for escape in ("\\x1b]0;T\\x07", "\\x1b[2J", "\\x7f", "\\x9b", "\\u202e", "\\u2066", "\\u200b", "\\U000e0041", "\\ud800"):
        assert escape in text
    assert visible("tab\there\r\n") == "tab\\there\\r\\n"
    assert visible("two\nlines\r", keep_newlines=True) == "two\nlines\\r"
    # Printable text of any script, emoji with joiners and variation selectors stay as they are.
    kept = "Привет שלום 👨\u200d👩\u200d👧 ❤\ufe0f [b]"
    assert visible(kept) == kept


@pytest.mark.parametrize("rich", [False, True])
def test_lines_fields_and_errors_show_hostile_text_escaped(monkeypatch: pytest.MonkeyPatch, rich: bool) -> None:
    if rich:
        monkeypatch.setenv("FORCE_COLOR", "1")
    output, out, err = make_output()
    assert output.rich_out is rich
    output.line("state: ", styled(HOSTILE, "bold"), HOSTILE)
    output.fields([("Phone", HOSTILE)])
    output.status_line("fail", HOSTILE, hint=HOSTILE)
    output.warn(HOSTILE, HOSTILE)
    output.error(ApiError(HOSTILE, HOSTILE, code="server_error"))
    with output.spinner(HOSTILE) as update:
        update(HOSTILE)
    with output.live() as redraw:
        redraw(HOSTILE + "\nsecond line")
    output.raw(HOSTILE + "\n")
    for text in (out.getvalue(), err.getvalue()):
        assert not any(raw in text for raw in RAW[1:]), text  # rich's own colours use ESC
        assert "\x1b]" not in text and "\x1b[2J" not in text
        assert "[link=https://e.example]l[/link]" in text or not text
    assert out.getvalue().count("\\x1b]0;T") >= 5


@pytest.mark.parametrize("markup", ["[/x]", "[link=https://e.example]click[/link]", "[bold]"])
def test_rich_spinner_text_is_never_markup(monkeypatch: pytest.MonkeyPatch, markup: str) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    output, _, err = make_output()
    with output.spinner(f"state is {markup}") as update:  # a str status is parsed as markup
        update(f"now {markup}")
    assert "\x1b]8;" not in err.getvalue()


def test_json_escapes_what_json_dumps_leaves_raw() -> None:
    data = {"text": HOSTILE, "list": ["\x85", "\u2069"], "emoji": "👍"}
    output, out, _ = make_output(json_mode=True)
    output.json_document(data)
    output.json_line(data)
    for document in out.getvalue().replace("\n}\n", "\n}\x00").split("\x00"):
        if document.strip():
            assert json.loads(document) == data  # the same data, every character kept
            assert not any(raw in document for raw in (*RAW, "\x85", "\u2069"))
            assert "\\u202e" in document and "\\udb40\\udc41" in document and "👍" in document


def test_step_spinner_text_is_never_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    output, _, err = make_output()
    with output.steps() as steps:
        steps.working("checking [/x] [link=https://e.example]l[/link] \x1b]0;T\x07")
        steps.done(lambda: output.line("done"))
    assert "\x1b]" not in err.getvalue()
