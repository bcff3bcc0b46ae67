"""`greencli send-test --file` end to end: the file reaches the sandbox's media route
(sendFileByUpload, https://green-api.com/en/docs/api/sending/SendFileByUpload/) exactly once."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Sandbox


def test_a_file_arrives_once_with_its_caption_and_is_followed(sandbox: Sandbox):
    photo = sandbox.workdir / "window.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    sandbox.control("POST", "/settings", {"outgoingWebhook": "yes"})  # statuses past `sent` (journals/GetMessage)
    run = sandbox.run("send-test", "+7 (900) 111-22-33", "--file", "window.jpg", "-m", "a window", "--wait", "30", "--json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["file"]["name"] == "window.jpg" and data["file"]["size"] == photo.stat().st_size
    assert data["status"] in ("delivered", "read")
    uploads = sandbox.requests_for("sendFileByUpload")
    assert len(uploads) == 1
    assert uploads[0]["body"]["chatId"] == "79001112233@c.us"
    assert uploads[0]["body"]["file"] == {"filename": "window.jpg", "size": photo.stat().st_size}
    sent = [m for m in sandbox.control("GET", "")["sent"] if m.get("fileName")]
    assert len(sent) == 1
    assert (sent[0]["idMessage"], sent[0]["caption"], sent[0]["typeMessage"]) == (data["idMessage"], "a window", "imageMessage")
    assert sandbox.requests_for("sendMessage") == []


def test_a_lost_answer_to_the_upload_is_possibly_sent_and_not_uploaded_again(sandbox: Sandbox):
    (sandbox.workdir / "report.pdf").write_bytes(b"%PDF-1.4 test")
    sandbox.fault("drop", "sendFileByUpload", times=1)
    run = sandbox.run("send-test", "79001112233", "--file", "report.pdf", "--json")
    assert run.exit_code == 3
    assert run.json()["error"]["code"] == "possibly_sent"
    assert len(sandbox.requests_for("sendFileByUpload")) == 1


def test_a_bad_file_or_an_unlinked_instance_uploads_nothing(sandbox: Sandbox, fresh_sandbox: Sandbox, tmp_path: Path):
    (sandbox.workdir / "noextension").write_bytes(b"x")
    refused = sandbox.run("send-test", "79001112233", "--file", "noextension")
    assert refused.exit_code == 2 and "extension" in refused.stderr
    assert sandbox.control("GET", "/requests")["requests"] == []
    (fresh_sandbox.workdir / "a.png").write_bytes(b"png")
    unlinked = fresh_sandbox.run("send-test", "79001112233", "--file", "a.png")
    assert unlinked.exit_code == 1 and "greencli qr" in unlinked.stderr
    assert fresh_sandbox.requests_for("sendFileByUpload") == []
