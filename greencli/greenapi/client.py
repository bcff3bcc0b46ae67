"""The one Green API client: a typed method per API method greencli calls.

Each method builds its call, sends it through the transport (greenapi/transport.py: attempts,
retries, deadlines, connections), and reads the answer with the shape readers
(greenapi/shapes.py) into the answer types (greenapi/answers.py). Nothing here prints or exits:
every failure is an `ApiError` (greenapi/failures.py says which) whose message carries no URL
and no token. A new Green API method is one more method below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from greencli.errors import ApiError
from greencli.greenapi import failures
from greencli.greenapi.answers import FileSent, Notification, QrAnswer, StateChange
from greencli.greenapi.credentials import Credentials, media_url_for
from greencli.greenapi.failures import Call, Endpoint
from greencli.greenapi.media_files import OpenedFile
from greencli.greenapi.notification_answer import NotAnAnswer, cut_answer
from greencli.greenapi.shapes import bad_shape, count_of, field, list_of_objects, nullable_field, object_of
from greencli.greenapi.transport import RetryNotice, Sleep, Transport
from greencli.greenapi.upload_form import StreamedForm
from greencli.redaction import redact, register

# What the typed methods return, and what `on_retry` is told, for callers of the client.
__all__ = ["FileSent", "GreenApiClient", "Notification", "QrAnswer", "RetryNotice", "StateChange", "upload_allowance"]

UPLOAD_SECONDS_PER_MB = 2.0  # about 4 Mbit/s: a 100 MB file gets 200 s more than --timeout


def upload_allowance(size: int) -> float:
    """Seconds an upload of `size` bytes may take on top of the call's timeout."""
    return size / (1024 * 1024) * UPLOAD_SECONDS_PER_MB


class GreenApiClient:
    """`concurrency`: how many calls may run at once from different threads (doctor's
    concurrent phase); `sleep`: how the pauses between attempts are waited (see transport)."""

    def __init__(
        self,
        credentials: Credentials,
        timeout: float = 10.0,
        backoff: float = 0.25,
        concurrency: int = 10,
        on_retry: Callable[[RetryNotice], None] | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        register(credentials.token)  # whatever shape it has, it never reaches a message
        self.credentials = credentials
        self.host = urlsplit(credentials.api_url).netloc
        self._endpoint = Endpoint(self.host, urlsplit(credentials.api_url).hostname or "", credentials.instance_id, timeout)
        self._transport = Transport(self._endpoint, timeout, backoff, concurrency, on_retry, sleep, ca=credentials.ca)
        self._base = f"{credentials.api_url}/waInstance{credentials.instance_id}"
        # Uploads go to the console's mediaUrl, else the universal media host for Green API's
        # hosts, else (a sandbox, a proxy) apiUrl: the same decision as doctor's media check.
        media_url, _ = media_url_for(credentials)
        self._media_base = f"{media_url}/waInstance{credentials.instance_id}"

    @property
    def timeout(self) -> float:
        return self._transport.timeout

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> GreenApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def request(self, http_method: str, api_method: str, **arguments: Any) -> tuple[Any, str]:
        """Call one API method (the arguments of `_exchange`): its decoded JSON (which may be
        None) and the answer's text."""
        return failures.json_answer(*self._exchange(http_method, api_method, **arguments))

    def _exchange(
        self,
        http_method: str,
        api_method: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        extra_path: str | None = None,
        long_poll: float = 0.0,
        form: StreamedForm | None = None,
        media: bool = False,
    ) -> tuple[Any, bytes, Endpoint, Call]:
        """One call through the transport: the answer, its body, and what reading it needs.

        `form` sends a streamed multipart form instead of JSON; `media` sends the request to
        the media host (mediaUrl), where Green API takes uploads. `long_poll`: seconds the
        server may take by design, on top of --timeout.
        """
        base = self._media_base if media else self._base
        url = f"{base}/{api_method}/{self.credentials.token}"
        if extra_path:
            url += f"/{extra_path}"

        def send() -> dict[str, Any]:
            if form is None:
                return {"json": body, "params": params}
            return {"data": form.restart(), "params": params, "headers": {"Content-Type": form.content_type}}

        response, content, call = self._transport.exchange(http_method, url, api_method, send, long_poll)
        return response, content, self._endpoint, call

    def _json(self, http_method: str, api_method: str, **arguments: Any) -> Any:
        return self.request(http_method, api_method, **arguments)[0]

    # -- account --------------------------------------------------------------------------

    def get_state_instance(self) -> str | None:
        """The instance state, or None while a new instance is still being created."""
        data = self._json("GET", "getStateInstance")
        if data is None:
            return None
        return nullable_field(data, "stateInstance", str, "getStateInstance")

    def get_status_instance(self) -> str:
        return field(self._json("GET", "getStatusInstance"), "statusInstance", str, "getStatusInstance")

    def get_wa_settings(self) -> dict[str, Any]:
        data = object_of(self._json("GET", "getWaSettings"), "getWaSettings")
        for key in ("phone", "stateInstance", "avatar", "deviceId"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise bad_shape("getWaSettings", f"`{key}` as text")
        return data

    def get_settings(self) -> dict[str, Any]:
        return object_of(self._json("GET", "getSettings"), "getSettings")

    def set_settings(self, changes: dict[str, Any]) -> bool:
        return field(self._json("POST", "setSettings", body=changes), "saveSettings", bool, "setSettings")

    def qr(self) -> QrAnswer:
        data = object_of(self._json("GET", "qr"), "qr")
        kind = field(data, "type", str, "qr")
        message = data.get("message")
        if not isinstance(message, str):
            raise bad_shape("qr", "a text `message`")
        return QrAnswer(kind, message)

    def get_authorization_code(self, phone_number: int) -> tuple[bool, str | None]:
        data = object_of(
            self._json("POST", "getAuthorizationCode", body={"phoneNumber": phone_number}), "getAuthorizationCode"
        )
        status = field(data, "status", bool, "getAuthorizationCode")
        code = data.get("code")
        return status, code if isinstance(code, str) and code else None

    def get_state_instance_history(self, count: int | None = None) -> list[StateChange]:
        """The instance's recent state changes, newest first (default 100 records).

        https://green-api.com/en/docs/api/account/GetStateInstanceHistory/ (GET with an
        optional body `{"count": N}`).
        """
        body = {"count": count} if count is not None else None
        data = list_of_objects(self._json("GET", "GetStateInstanceHistory", body=body), "GetStateInstanceHistory")
        changes = []
        for record in data:
            state, timestamp, phone = record.get("stateInstance"), record.get("timestamp"), record.get("phoneNumber")
            if not isinstance(state, str) or not isinstance(timestamp, int) or isinstance(timestamp, bool):
                raise bad_shape("GetStateInstanceHistory", "records with `stateInstance` and `timestamp`")
            if isinstance(phone, int) and not isinstance(phone, bool):
                phone = str(phone)
            changes.append(StateChange(state, timestamp, phone if isinstance(phone, str) and phone else None))
        return changes

    def update_api_token(self) -> str:
        """Rotate the token (beta): the old one stops working. Returns the new token, which
        this client uses from then on.

        A failure is HTTP 200 with `{"code": 401, "description": "Unauthorized"}` in the body.
        https://green-api.com/en/docs/api/account/UpdateApiToken
        """
        data = object_of(self._json("GET", "updateApiToken"), "updateApiToken")
        token = data.get("apiTokenInstance")
        if not isinstance(token, str) or not token:
            code = data.get("code")
            if isinstance(code, int) and not isinstance(code, bool):
                description = data.get("description") if isinstance(data.get("description"), str) else ""
                raise ApiError(
                    f"Green API did not rotate the token: {code} {redact(description)}".rstrip() + ".",
                    "The token was not changed; check GREEN_API_TOKEN against the console and try again.",
                    code="unauthorized" if code == 401 else "token_not_rotated",
                    status=200,
                    method="updateApiToken",
                )
            raise bad_shape("updateApiToken", "an object with `apiTokenInstance`")
        register(token)
        self.credentials = self.credentials._replace(token=token)
        return token

    def reboot(self) -> bool:
        return field(self._json("GET", "reboot"), "isReboot", bool, "reboot")

    def logout(self) -> bool:
        return field(self._json("GET", "logout"), "isLogout", bool, "logout")

    # -- sending --------------------------------------------------------------------------

    def send_message(self, chat_id: str, message: str) -> str:
        data = self._json("POST", "sendMessage", body={"chatId": chat_id, "message": message})
        try:
            return field(data, "idMessage", str, "sendMessage")
        except ApiError as error:
            error.may_have_been_processed = True  # it answered 200: the message was accepted
            raise

    def send_file_by_upload(self, chat_id: str, file: OpenedFile, caption: str | None = None) -> FileSent:
        """Send a file as a multipart upload to the media host, read from disk as it is sent;
        never retried once sent.

        https://green-api.com/en/docs/api/sending/SendFileByUpload/ :
        POST {mediaUrl}/waInstance{id}/sendFileByUpload/{token}, form fields chatId, file,
        fileName, caption; answers {"idMessage", "urlFile"}.
        """
        fields = {"chatId": chat_id, "fileName": file.media.name}
        if caption:
            fields["caption"] = caption
        data = self._json(
            "POST",
            "sendFileByUpload",
            form=StreamedForm(fields, "file", file),
            media=True,
            # The file's own transfer time on top of --timeout, or a large upload on an ordinary
            # link would end as "possibly sent" (the server waits for the whole body to answer).
            long_poll=upload_allowance(file.media.size),
        )
        try:
            id_message = field(data, "idMessage", str, "sendFileByUpload")
        except ApiError as error:
            error.may_have_been_processed = True
            raise
        url_file = data.get("urlFile")
        return FileSent(id_message, url_file if isinstance(url_file, str) else None)

    def check_whatsapp(self, phone_number: int) -> bool:
        data = self._json("POST", "checkWhatsapp", body={"phoneNumber": phone_number})
        return field(data, "existsWhatsapp", bool, "checkWhatsapp")

    # -- journals and queues --------------------------------------------------------------

    def get_message(self, chat_id: str, id_message: str) -> dict[str, Any]:
        data = self._json("POST", "getMessage", body={"chatId": chat_id, "idMessage": id_message})
        return object_of(data, "getMessage")

    def last_outgoing_messages(self, minutes: int = 60) -> list[dict[str, Any]]:
        data = self._json("GET", "lastOutgoingMessages", params={"minutes": minutes})
        return list_of_objects(data, "lastOutgoingMessages")

    def show_messages_queue(self) -> list[dict[str, Any]]:
        return list_of_objects(self._json("GET", "showMessagesQueue"), "showMessagesQueue")

    def get_messages_count(self) -> int:
        """Messages waiting in the outgoing send queue (refreshed every 10 s; no monthly quota).

        Unlike showMessagesQueue, it does not leave out the first queued message (Green API
        forum, topic 213). https://green-api.com/en/docs/api/queues/GetMessagesCount/
        """
        return count_of(self._json("GET", "getMessagesCount"), "getMessagesCount")

    def get_webhooks_count(self) -> int:
        """Notifications waiting in the incoming queue (refreshed every 10 s).
        https://green-api.com/en/docs/api/queues/GetWebhooksCount/"""
        return count_of(self._json("GET", "getWebhooksCount"), "getWebhooksCount")

    # -- receiving ------------------------------------------------------------------------

    def receive_notification(self, wait_seconds: int = 20) -> Notification | None:
        """Long-poll the notification queue; None when nothing arrived within the wait."""
        wait_seconds = max(5, min(60, wait_seconds))
        exchanged = self._exchange("GET", "receiveNotification", params={"receiveTimeout": wait_seconds}, long_poll=wait_seconds)
        answer = failures.checked_answer(*exchanged)
        # The receipt is read even when the body cannot be (notification_answer.py): a body of
        # any shape, or one greencli refuses, is still handed over and deleted, never stuck.
        try:
            cut = cut_answer(answer)
        except NotAnAnswer:
            raise bad_shape("receiveNotification", "a receiptId number and a body") from None
        if cut is None:
            return None
        return Notification(cut.receipt_id, cut.body, cut.raw_body, cut.unreadable)

    def delete_notification(self, receipt_id: int) -> bool:
        data = self._json("DELETE", "deleteNotification", extra_path=str(receipt_id))
        return field(data, "result", bool, "deleteNotification")
