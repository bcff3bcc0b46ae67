"""The troubleshooting checklist behind `greencli doctor`.

Configuration first (no network); then, at once, project hygiene, the connections to the API
host (the reachability check times them) and every API call, each on its own connection. From a
cold start that is the physical floor of three round trips (TCP, TLS, one request) however many
calls are made; the results read as if gated (see `run_checks`). Checks
are plain functions of what was fetched; each gives an id, a status (pass / warn / fail /
skip), a message and a hint that is an exact command or step. Nothing here spends a monthly
quota: no checkWhatsapp, no sending.
"""

from __future__ import annotations

import os
import socket
import stat
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

from greencli.config import git as gitrepo
from greencli.config import loader as config
from greencli.doctor.explanations import command_for
from greencli.errors import ApiError
from greencli.greenapi.connections import ConnectFailure, Opened, open_connection, warm
from greencli.greenapi.credentials import (
    Credentials,
    is_green_api_host,
    is_universal_host,
    media_url_for,
    universal_api_url,
)
from greencli.greenapi.notification_settings import GUIDE_TYPES, STATUS_TYPE, is_on
from greencli.greenapi.states import describe_state, format_phone
from greencli.redaction import in_this_run

if TYPE_CHECKING:
    from greencli.greenapi.client import GreenApiClient


class MakeClient(Protocol):
    """How doctor gets a client: the run's factory (greencli.cli.context.AppContext.new_client)
    set to doctor's timeout; the 403 probe of another host asks for its own, shorter limits."""

    def __call__(self, credentials: Credentials, *, timeout: float | None = None, backoff: float | None = None) -> GreenApiClient: ...


DOCS = "docs/troubleshooting.md"  # the same text ships in the package: `greencli doctor --explain ID`
PILING_UP = 50  # notifications waiting in polling mode before doctor calls it a problem
LINK_DROPS = 3  # link drops within LINK_WINDOW before doctor calls the link unstable
LINK_WINDOW = 24 * 3600


@dataclass
class CheckResult:
    id: str
    title: str
    status: str  # pass, warn, fail, skip
    message: str
    hint: str | None = None
    details: list[str] = field(default_factory=list)
    duration_ms: int | None = None
    # Failed because Green API could not be reached or did not answer (an outage, not the
    # instance's fault): doctor then exits 3, so CI can tell the two apart.
    outage: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "message": self.message,
            "hint": self.hint,
            "docs": command_for(self.id),
        }
        if self.details:
            data["details"] = self.details
        if self.duration_ms is not None:
            data["durationMs"] = self.duration_ms
        return data


TITLES = {
    "config": "Configuration",
    "format": "Credential format",
    "hygiene": "Project hygiene",
    "reachability": "API host reachable",
    "credentials": "Credentials accepted",
    "state": "Instance state",
    "socket": "WhatsApp connection",
    "phone": "Linked phone",
    "link": "Link stability",
    "notifications": "Notifications",
    "statuses": "Delivery statuses",
    "queue": "Outgoing queue",
    "incoming": "Incoming queue",
    # Last: it is probed alongside the API host, but awaited only at the end, so the checks
    # before it are shown as they finish.
    "media": "Media host reachable",
    # Opt-in (doctor --probe-webhook): it POSTs to the user's own server.
    "webhook": "Webhook delivery",
}
OPT_IN = ("webhook",)
ORDER = tuple(check_id for check_id in TITLES if check_id not in OPT_IN)


def _result(check_id: str, status: str, message: str, hint: str | None = None, details: list[str] | None = None) -> CheckResult:
    return CheckResult(check_id, TITLES[check_id], status, message, hint, details or [])


def _skip(check_id: str, why: str) -> CheckResult:
    return _result(check_id, "skip", f"skipped: {why}")


# -- checks that need no network ------------------------------------------------------------


def check_config(resolution: config.Resolution) -> CheckResult:
    settings = resolution.settings
    details = []
    for variable in config.VARIABLES:
        setting = settings[variable]
        if setting.value is not None:
            details.append(f"{variable}: from {setting.origin}")
    problems = [p for p in resolution.problems if p.code in ("missing_credentials", "env_file_error", "shadowed_variable", "duplicate_variable")]
    errors = [p for p in problems if p.level == "error"]
    if errors:
        return _result("config", "fail", errors[0].message, errors[0].hint, details + [p.message for p in errors[1:]])
    sources = sorted({str(settings[v].origin) for v in (config.INSTANCE_ID, config.TOKEN) if settings[v].origin})
    message = f"Credentials found ({', '.join(sources)})"
    warnings = [p for p in problems if p.level == "warning"]
    if warnings:
        return _result("config", "warn", warnings[0].message, warnings[0].hint, details + [p.message for p in warnings[1:]])
    return _result("config", "pass", message, None, details)


def check_format(resolution: config.Resolution) -> CheckResult:
    codes = ("invalid_instance_id", "unusual_instance_id", "invalid_token", "unusual_token", "invalid_api_url", "host_mismatch")
    problems = [p for p in resolution.problems if p.code in codes]
    if resolution.value(config.INSTANCE_ID) is None or resolution.value(config.TOKEN) is None:
        if not problems:
            return _skip("format", "credentials are missing (see Configuration)")
    errors = [p for p in problems if p.level == "error"]
    if errors:
        return _result("format", "fail", errors[0].message, errors[0].hint, [p.message for p in problems[1:]])
    if problems:
        return _result("format", "warn", problems[0].message, problems[0].hint, [p.message for p in problems[1:]])
    return _result("format", "pass", "Instance ID, token and API URL look right")


def check_hygiene(env_file: Path | None, token: str | None, cwd: Path) -> CheckResult:
    """.env tracked or not ignored by git, readable by others, the token in a tracked file."""
    target = env_file or cwd / ".env"
    shown = os.path.relpath(target, cwd) if target.is_relative_to(cwd) else str(target)
    top = gitrepo.work_tree(target.parent if target.parent.exists() else cwd)
    fails: list[tuple[str, str]] = []
    warns: list[tuple[str, str]] = []
    notes: list[str] = []
    if target.is_file():
        mode = stat.S_IMODE(target.stat().st_mode)
        if mode & 0o077:
            warns.append((f"{shown} can be read by other users (mode {mode:o})", f"chmod 600 {shown}"))
        if top is not None:
            if gitrepo.is_tracked(target):
                fails.append(
                    (f"{shown} is tracked by git: the token is in the repository",
                     f"git rm --cached {shown} && {_ignore_command(target, shown)}, commit, then rotate the token in the console")
                )
            elif not gitrepo.is_ignored(target):
                warns.append((f"{shown} is not in .gitignore: one `git add .` away from being committed", _ignore_command(target, shown)))
    else:
        notes.append(f"no {shown} file (credentials come from elsewhere)")
    if top is not None and token:
        found = gitrepo.tracked_files_containing(top, token) or []
        leaked = [name for name in found if (top / name).resolve() != target.resolve()]
        if leaked:
            fails.append(
                (f"the API token is written in tracked file{'s' if len(leaked) > 1 else ''}: {', '.join(leaked[:3])}",
                 "Remove it from those files (read it from the environment or .env instead), then rotate the token in the console")
            )
    elif top is None:
        notes.append("not a git repository")
    if fails:
        return _result("hygiene", "fail", fails[0][0], fails[0][1], [m for m, _ in fails[1:] + warns] + notes)
    if warns:
        return _result("hygiene", "warn", warns[0][0], warns[0][1], [m for m, _ in warns[1:]] + notes)
    message = f"{shown} is private and ignored by git" if target.is_file() and top is not None else "Nothing exposes the token"
    return _result("hygiene", "pass", message, None, notes)


class HostProbe(NamedTuple):
    """DNS, TCP and TLS to one host, each timed. `failure` is None when all went through;
    otherwise "dns", "timeout", "reset", "refused", "tls" or "proxy"."""

    host: str
    port: int
    failure: str | None
    message: str  # what failed, or what went through
    hint: str | None
    details: list[str]
    via_proxy: bool = False
    plain_http: bool = False


def _proxy_probe(url: str, timeout: float) -> HostProbe | None:
    """Through a proxy only the proxy is tried (and named); None when there is none."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    proxy = getproxies().get(parts.scheme)
    if not proxy or proxy_bypass(host):
        return None
    proxy_parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    proxy_address = (proxy_parts.hostname or "", proxy_parts.port or 8080)
    try:
        socket.create_connection(proxy_address, timeout=timeout).close()
    except OSError:
        return HostProbe(host, port, "proxy", f"Cannot connect to the proxy {proxy_address[0]}:{proxy_address[1]} ({parts.scheme.upper()}_PROXY)",
                         f"Check {parts.scheme.upper()}_PROXY, or add {host} to NO_PROXY.", [], via_proxy=True)
    return HostProbe(host, port, None, f"{host} is reached through the proxy {proxy_address[0]}:{proxy_address[1]}", None,
                     [f"direct DNS/TCP/TLS checks skipped: requests go through {parts.scheme.upper()}_PROXY"], via_proxy=True)


def probe_from(url: str, attempt: Callable[[], Opened]) -> HostProbe:
    """One timed connection attempt (DNS, TCP, TLS) as a HostProbe."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        opened = attempt()
    except ConnectFailure as failure:
        return HostProbe(host, port, _failure_kind(failure), failure.message, failure.hint, failure.details)
    details = [f"DNS {host} → {opened.address} in {opened.dns_ms:.0f} ms", f"TCP connect in {opened.tcp_ms:.0f} ms"]
    steps = f"DNS {opened.dns_ms:.0f} ms, TCP {opened.tcp_ms:.0f} ms"
    if opened.tls_version is not None:
        details.append(f"TLS {opened.tls_version} in {opened.tls_ms:.0f} ms")
        steps += f", TLS {opened.tls_ms:.0f} ms"
    plain = opened.tls_version is None and host not in ("127.0.0.1", "localhost", "::1")
    return HostProbe(host, port, None, f"{host}:{port} reachable ({steps})", None, details, plain_http=plain)


def probe_host(url: str, timeout: float) -> HostProbe:
    proxied = _proxy_probe(url, timeout)
    if proxied is not None:
        return proxied

    def attempt() -> Opened:
        opened = open_connection(url, timeout)
        opened.sock.close()
        return opened

    return probe_from(url, attempt)


def _failure_kind(failure: ConnectFailure) -> str:
    """A firewall that blocks a host resets the connection or lets it time out."""
    if failure.stage == "dns":
        return "dns"
    text = failure.message.lower()
    if "timed out" in text or "timeouterror" in text:
        return "timeout"
    if "reset" in text or "aborted" in text or "broken pipe" in text:
        return "reset"
    return "refused" if failure.stage == "tcp" else "tls"


# A firewall that blocks the universal host answers with resets or silence: Green API told a
# user it sits in Moscow and some EU firewalls block it, and the fix was the instance's own
# host (https://github.com/t0mer/green-api-custom-notifier/issues/16).
BRIDGE_NOTE = ("the universal host is a temporary bridge: slower than the instance's own host, "
               "and blocked by some firewalls")
OWN_HOSTS_HINT = ("Copy apiUrl and mediaUrl from the instance's page at console.green-api.com into "
                  "GREEN_API_URL and GREEN_API_MEDIA_URL (`greencli init --force`)")


def check_reachability(api_url: str, timeout: float, configured: bool = True, media: Callable[[], HostProbe] | None = None) -> CheckResult:
    return reachability_of(probe_host(api_url, timeout), api_url, configured, media)


def reachability_from(api_url: str, attempt: Callable[[], Opened], configured: bool = True,
                      media: Callable[[], HostProbe] | None = None) -> CheckResult:
    """The reachability check from one timed connection attempt (DNS, TCP, TLS)."""
    return reachability_of(probe_from(api_url, attempt), api_url, configured, media)


def reachability_of(probe: HostProbe, api_url: str, configured: bool = True, media: Callable[[], HostProbe] | None = None) -> CheckResult:
    """On the universal host (a temporary bridge,
    https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/), warn; when it
    resets or times out, tell a blocked universal host from a network that reaches no Green API
    host, by the media host probed at the same time (`media`, awaited only then)."""
    universal = is_universal_host(api_url)
    if probe.failure is not None:
        if universal and probe.failure in ("timeout", "reset"):
            other = media() if media is not None else None
            if other is not None and other.failure is None and not other.via_proxy:
                return _result("reachability", "fail", f"{probe.message}, while {other.host} answers: this network blocks Green API's universal host",
                               f"{BRIDGE_NOTE[0].upper()}{BRIDGE_NOTE[1:]}. {OWN_HOSTS_HINT}.", probe.details)
            return _result("reachability", "fail", f"{probe.message}: {BRIDGE_NOTE}, or this network blocks Green API",
                           f"{OWN_HOSTS_HINT}; if the instance's own host fails too, check the firewall or proxy.", probe.details)
        return _result("reachability", "fail", probe.message, probe.hint, probe.details)
    if probe.plain_http:
        return _result("reachability", "warn", f"{probe.host} answers, but over plain http: the token travels unencrypted",
                       "Use the https:// apiUrl from the console.", probe.details)
    if universal:
        where = "no GREEN_API_URL is set, so greencli uses" if not configured else "GREEN_API_URL is"
        return _result("reachability", "warn", f"{probe.message}, but {where} the universal host {probe.host}: {BRIDGE_NOTE}",
                       f"{OWN_HOSTS_HINT}.", probe.details)
    return _result("reachability", "pass", probe.message, None, probe.details)


_SAME_HOST = HostProbe("", 0, None, "", None, [])


def check_media(credentials: Credentials, probe: HostProbe, api: CheckResult | None = None) -> CheckResult:
    """The media host: UploadFile and SendFileByUpload go there, not to apiUrl."""
    media_url, origin = media_url_for(credentials)
    details = [f"media host: {origin}", *probe.details]
    if media_url == credentials.api_url:  # a sandbox or proxy serving both: not probed twice
        if api is None or api.status == "fail":
            return _skip("media", "the media host is the API host (see API host reachable)")
        host = urlsplit(media_url).hostname
        return _result("media", "pass", f"{host} is also the media host (see API host reachable)", None, details)
    if probe.failure is not None:
        return _result("media", "fail", f"{probe.message}: sending files will fail (they go to the media host, not to the API host)",
                       (probe.hint or "").replace("GREEN_API_URL", "GREEN_API_MEDIA_URL") if credentials.media_url else f"{OWN_HOSTS_HINT}.", details)
    if probe.plain_http:
        return _result("media", "warn", f"{probe.host} answers, but over plain http: the token travels unencrypted",
                       "Use the https:// mediaUrl from the console.", details)
    if not credentials.media_url and is_green_api_host(credentials.api_url) and not is_universal_host(credentials.api_url):
        return _result("media", "warn", f"{probe.message}, but GREEN_API_MEDIA_URL is not set, so files go through the universal media host",
                       "Copy mediaUrl from the instance's page at console.green-api.com into GREEN_API_MEDIA_URL.", details)
    return _result("media", "pass", probe.message, None, details)


def _ms(started: float) -> str:
    return f"{(time.monotonic() - started) * 1000:.0f} ms"


# -- checks of what the API answered --------------------------------------------------------


@dataclass
class Fetched:
    value: Any = None
    error: ApiError | None = None


def fetch(call: Callable[[], Any]) -> Fetched:
    """Call the API; whatever goes wrong becomes the result's error, for its check to report."""
    try:
        return Fetched(call())
    except ApiError as error:
        return Fetched(error=error)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - RecursionError and the like fail one check, not doctor
        from greencli.redaction import redact

        return Fetched(error=ApiError(f"the call failed unexpectedly ({type(error).__name__}: {redact(str(error))[:200]})",
                                      "Run `greencli --debug doctor` and report it.", code="internal_error"))


def check_credentials(state: Fetched, credentials: Credentials, probe: Callable[[str], int | None]) -> CheckResult:
    """Was the token accepted? For a 403, try to tell a wrong instance ID from a wrong host; for
    no answer, a host that is down or blocked from an instance that is down."""
    error = state.error
    if error is None:
        return _result("credentials", "pass", f"Green API accepted instance {credentials.instance_id} and its token")
    if error.code == "unauthorized":
        return _result("credentials", "fail", "The token was rejected (401)",
                       "Copy apiTokenInstance again from the instance's page at console.green-api.com into GREEN_API_TOKEN (`greencli init --force`).")
    if error.code == "forbidden":
        return _diagnose_forbidden(credentials, probe)
    if error.status is None:  # no answer at all: the credentials could not be checked
        return _diagnose_no_answer(error, credentials, probe)
    # A 5xx, 429 or 400 is an answer about something else: not a verdict on the credentials.
    return _result("credentials", "fail", f"Green API answered {error.status}, so the credentials could not be checked: {error.message}", error.hint)


def _diagnose_forbidden(credentials: Credentials, probe: Callable[[str], int | None]) -> CheckResult:
    """403: a wrong idInstance or a host that does not serve it
    (https://green-api.com/en/docs/api/common-errors/). Hosts cannot be derived from the ID, so
    the only other host asked is the documented universal one, and only from an instance's own
    Green API host (never from a sandbox or proxy: the token goes to Green API's hosts only)."""
    host = urlsplit(credentials.api_url).hostname or ""
    if is_green_api_host(credentials.api_url) and not is_universal_host(credentials.api_url):
        universal = universal_api_url(credentials.api_url)
        other = urlsplit(universal).hostname
        status = probe(universal)
        if status == 200:
            return _result("credentials", "fail", f"Instance {credentials.instance_id} is not served by {host} (403), but the universal host {other} accepts it",
                           "GREEN_API_URL is not this instance's apiUrl: copy apiUrl and mediaUrl from the instance's page at console.green-api.com.")
        if status in (401, 403):
            return _result("credentials", "fail", f"Neither {host} nor the universal host {other} knows instance {credentials.instance_id} (403)",
                           "Check GREEN_API_INSTANCE_ID: copy idInstance from the console (the instance may also have been deleted).")
    return _result("credentials", "fail", f"Green API refused instance {credentials.instance_id} at {host} (403): the instance ID or the host is wrong",
                   "Check GREEN_API_INSTANCE_ID (idInstance), and copy apiUrl and mediaUrl from the instance's page at console.green-api.com into GREEN_API_URL and GREEN_API_MEDIA_URL.")


def _diagnose_no_answer(error: ApiError, credentials: Credentials, probe: Callable[[str], int | None]) -> CheckResult:
    """A reset or a timeout after the host was reachable. From an instance's own host, the
    universal host tells "this host is down or blocked" (it answers) from "the instance is down"
    (it does not answer either); on the universal host itself, name both causes."""
    host = urlsplit(credentials.api_url).hostname or ""
    lead = f"Green API did not answer, so the credentials could not be checked: {error.message}"
    if error.code not in ("timeout", "connection_failed") or not is_green_api_host(credentials.api_url):
        return _result("credentials", "fail", lead, error.hint)
    if is_universal_host(credentials.api_url):
        return _result("credentials", "fail", f"{lead} Either {BRIDGE_NOTE} (a firewall may cut it), or the instance is down",
                       f"{OWN_HOSTS_HINT}; if the instance's own host does not answer either, run `greencli reboot` later or contact Green API support.")
    universal = universal_api_url(credentials.api_url)
    status = probe(universal)
    other = urlsplit(universal).hostname
    if status == 200:
        return _result("credentials", "fail", f"{lead} The universal host {other} answers for this instance: it is up, and {host} is down or blocked from this network",
                       "Check the firewall or proxy for this host; meanwhile the universal host works (GREEN_API_URL=" + universal + ").")
    if status is None:
        return _result("credentials", "fail", f"{lead} The universal host {other} does not answer for this instance either: the instance itself seems down",
                       "Wait a few minutes and run `greencli doctor` again; if it lasts, `greencli reboot` or Green API support.")
    return _result("credentials", "fail", lead, error.hint)


def check_state(state: Fetched) -> CheckResult:
    if state.error is not None:
        return _result("state", "fail", state.error.message, state.error.hint)
    info = describe_state(state.value)
    # Not authorized means nothing can be sent or received yet: a failure, even when it passes.
    return _result("state", "pass" if info.authorized else "fail", f"{info.label}: {info.meaning}", info.action)


def _while(state: str | None) -> str:
    """Why an instance that is not authorized may lack a connection or a phone."""
    if state in (None, "notAuthorized"):
        return "no phone is linked"
    return f"the instance is {describe_state(state).label}"


def check_socket(status: Fetched, state: str | None) -> CheckResult:
    if status.error is not None:
        return _result("socket", "warn", f"Could not read the connection status: {status.error.message}", None)
    value = status.value
    if value == "online":
        return _result("socket", "pass", "online: the instance is connected to WhatsApp")
    if state != "authorized":
        return _result("socket", "skip", f"{value}: expected while {_while(state)} (see Instance state)")
    return _result("socket", "warn", f"{value}: the instance reports no connection to WhatsApp (this status can be inaccurate)",
                   "If messages stop, keep the phone online and run `greencli reboot`.")


def check_phone(wa: Fetched, state: str | None) -> CheckResult:
    if wa.error is not None:
        status = "warn" if state == "authorized" else "skip"
        return _result("phone", status, f"Could not read the linked phone: {wa.error.message}", None)
    phone = format_phone(wa.value.get("phone") if isinstance(wa.value, dict) else None)
    if phone:
        return _result("phone", "pass", f"Linked to {phone}" + ("" if state == "authorized" else f" ({_while(state)})"))
    if state != "authorized":
        return _skip("phone", f"no phone reported while {_while(state)} (see Instance state)")
    return _result("phone", "warn", "The instance is authorized but reports no phone number", "Run `greencli check-state` again in a minute.")


def check_notifications(settings: Fetched, resolve_urls: bool = True) -> CheckResult:
    from greencli.greenapi.webhook_url import reachability_findings

    if settings.error is not None:
        return _result("notifications", "fail", f"Could not read the settings: {settings.error.message}", settings.error.hint)
    values = settings.value
    off = [name for name in GUIDE_TYPES if not is_on(values, name)]
    url = str(values.get("webhookUrl") or "")
    mode = f"push to {url}" if url else "polling (no webhook URL)"
    details = [f"mode: {mode}", f"URL token: {'set' if values.get('webhookUrlToken') else 'not set'}"]
    if "incomingWebhook" in off:
        return _result("notifications", "fail", "Incoming-message notifications are off: nothing will ever arrive", "greencli webhooks enable", details + [f"off: {', '.join(off)}"])
    if url:
        findings = reachability_findings(url, resolve=resolve_urls)
        errors = [f for f in findings if f.level == "error"]
        if errors:
            return _result("notifications", "fail", f"The webhook URL {errors[0].message}",
                           "Give a public https URL (greencli webhooks enable --url https://your-public-host/path), "
                           "or poll locally: greencli webhooks enable --polling", details + [f.message for f in findings[1:]])
        if findings:
            return _result("notifications", "warn", f"The webhook URL {findings[0].message}",
                           "Use a public https URL (greencli webhooks enable --url https://…), or poll locally: greencli webhooks enable --polling", details + [f.message for f in findings[1:]])
    if off:
        return _result("notifications", "warn", f"The guide's notifications are not all on (off: {', '.join(off)})", "greencli webhooks enable", details)
    return _result("notifications", "pass", f"The guide's four notification types are on; {mode}", None, details)


def check_queue(count: Fetched, authorized: bool) -> CheckResult:
    """Messages waiting to be sent, counted with getMessagesCount: showMessagesQueue leaves out
    the first queued message (https://green-api.com/en/forum/post/213), so one stuck message
    would read as none."""
    if count.error is not None:
        if count.error.code == "not_found":
            return _skip("queue", "this server does not offer getMessagesCount")
        return _result("queue", "warn", f"Could not read the outgoing queue: {count.error.message}", None)
    number = count.value
    if number == 0:
        return _result("queue", "pass", "No messages waiting to be sent")
    plural = "s" if number != 1 else ""
    if not authorized:
        return _result("queue", "fail", f"Messages are stuck: {number} message{plural} waiting while the instance is not authorized",
                       "Link the phone (`greencli qr`); messages left more than 24 hours are dropped.")
    return _result("queue", "pass", f"{number} message{plural} on the way out (sent at the configured pace)")


def check_link(history: Fetched, now: float) -> CheckResult:
    """How often the link dropped in the last day, from GetStateInstanceHistory
    (https://green-api.com/en/docs/api/account/GetStateInstanceHistory/)."""
    if history.error is not None:
        if history.error.code == "not_found":
            return _skip("link", "this server does not offer GetStateInstanceHistory")
        return _result("link", "warn", f"Could not read the state history: {history.error.message}", None)
    recent = [change for change in history.value if now - _seconds(change.timestamp) <= LINK_WINDOW]
    drops = [change for change in recent if change.state in ("notAuthorized", "blocked")]
    details = [f"{len(recent)} state change{'s' if len(recent) != 1 else ''} in the last 24 hours"]
    if not drops:
        return _result("link", "pass", "The link has not dropped in the last 24 hours", None, details)
    plural = "s" if len(drops) != 1 else ""
    if len(drops) < LINK_DROPS:
        return _result("link", "pass", f"The link dropped {len(drops)} time{plural} in the last 24 hours", None, details)
    # Usual causes: a phone offline for about 14 days unlinks the device (https://github.com/green-api/issues/issues/205),
    # regional blocks (https://github.com/green-api/issues/issues/517), linked-device locks
    # (https://green-api.com/en/docs/faq/if-your-instance-is-blocked/).
    blocked = sum(1 for change in drops if change.state == "blocked")
    if blocked:
        details.append(f"{blocked} of them blocked")
    return _result("link", "warn", f"The link dropped {len(drops)} times in the last 24 hours",
                   "Usual causes: the phone offline for long (keep it charged and online), a regional block "
                   "of WhatsApp on the phone's or the server's network, or a linked-device lock "
                   "(`greencli reboot`, or `greencli logout` and a new scan).", details)


def _seconds(timestamp: float) -> float:
    return timestamp / 1000 if timestamp > 10**11 else timestamp  # milliseconds, just in case


def check_statuses(settings: Fetched) -> CheckResult:
    """Delivery statuses need outgoingWebhook on (https://green-api.com/en/docs/api/account/GetSettings/);
    informational: many bots do not track delivery."""
    if settings.error is not None:
        return _skip("statuses", "the settings could not be read (see Notifications)")
    if is_on(settings.value, STATUS_TYPE):
        return _result("statuses", "pass", "Delivery statuses are on (sent, delivered, read)")
    return _result("statuses", "pass",
                   f"Delivery statuses are off ({STATUS_TYPE} = no): a bot that tracks delivery hears nothing; "
                   "`greencli webhooks enable --status` switches them on",
                   "greencli webhooks enable --status")


def check_incoming(count: Fetched, settings: Fetched) -> CheckResult:
    if count.error is not None:
        if count.error.code == "not_found":
            return _skip("incoming", "this server does not offer getWebhooksCount")
        return _result("incoming", "warn", f"Could not read the incoming queue: {count.error.message}", None)
    value = count.value if isinstance(count.value, dict) else {}
    number = value.get("count", value.get("сount"))  # some doc versions spell it with a Cyrillic с
    if not isinstance(number, int):
        return _skip("incoming", "the server's answer had no count")
    if number == 0:
        return _result("incoming", "pass", "No notifications waiting")
    plural = "s" if number != 1 else ""
    push = isinstance(settings.value, dict) and bool(settings.value.get("webhookUrl"))
    if not push and number < PILING_UP:
        return _result("incoming", "pass", f"{number} notification{plural} waiting to be read (by your bot, or `greencli webhooks listen`)")
    if push:
        return _result("incoming", "warn", f"{number} notification{plural} not yet accepted by the webhook URL",
                       "Make the URL answer 200 within 180 s; Green API retries every 60 s for 24 hours.")
    return _result("incoming", "warn", f"{number} notifications waiting: nobody seems to be reading them",
                   "Start your bot's polling loop, or watch them: greencli webhooks listen")


# -- the run --------------------------------------------------------------------------------


def api_calls(client: GreenApiClient) -> dict[str, Callable[[], Any]]:
    """Every API call doctor makes, by the check that reads it. None waits for another: they
    are all made at once, each on its own connection (see `run_checks`)."""
    return {
        "credentials": client.get_state_instance,  # also the state
        "socket": client.get_status_instance,
        "phone": client.get_wa_settings,
        "notifications": client.get_settings,
        "queue": client.get_messages_count,  # not showMessagesQueue: it leaves out the first message
        "incoming": lambda: client.request("GET", "getWebhooksCount"),
        "link": client.get_state_instance_history,
    }


def run_checks(
    resolution: config.Resolution,
    cwd: Path,
    make_client: MakeClient,
    timeout: float,
    on_progress: Callable[[str], None] = lambda text: None,
    on_result: Callable[[CheckResult], None] = lambda result: None,
) -> list[CheckResult]:
    """Run every check; `on_result` gets each result as soon as it and all before it are done.

    Two network phases from a cold start, whatever the number of calls: every connection opened
    at once (TCP, TLS: the reachability check times the first), then every API call at once,
    one per connection; project hygiene runs meanwhile. The results read as if gated: an
    unreachable host or refused credentials show the later checks as skipped."""
    results: dict[str, CheckResult] = InOrder(on_result)

    def timed(check_id: str, run: Callable[[], CheckResult]) -> CheckResult:
        started = time.monotonic()
        result = guarded(check_id, run)
        result.duration_ms = int((time.monotonic() - started) * 1000)
        return result

    def finish(why: str) -> list[CheckResult]:
        for check_id in ORDER:
            results.setdefault(check_id, _skip(check_id, why))
        return [results[check_id] for check_id in ORDER]

    results["config"] = timed("config", lambda: check_config(resolution))
    results["format"] = timed("format", lambda: check_format(resolution))
    token = resolution.value(config.TOKEN)
    if results["config"].status == "fail" or results["format"].status == "fail":
        results["hygiene"] = timed("hygiene", lambda: check_hygiene(resolution.env_file, token, cwd))
        return finish("the configuration must be fixed first")
    credentials = resolution.credentials()
    client = make_client(credentials)
    calls = api_calls(client)
    # The connections the calls will use; those opened at start-up (greencli.cli.warm_start)
    # are already on their way. None: requests go through a proxy, which is checked instead.
    first = warm(credentials.api_url, len(calls), min(timeout, 5.0))

    api_setting = resolution.settings[config.API_URL]
    configured = api_setting.origin is not None and api_setting.origin.kind != "default"
    # The media host is probed alongside; its answer is awaited only at the end, or when the
    # universal API host resets or times out (to tell a blocked bridge from a blocked network).
    media_url, _ = media_url_for(credentials)
    media_started = time.monotonic()
    media_future: Future[HostProbe] = Future()
    if media_url == credentials.api_url:
        media_future.set_result(_SAME_HOST)  # the reachability check covers it: no extra connection
    else:
        media_pool = ThreadPoolExecutor(max_workers=1)
        media_future = media_pool.submit(in_this_run(probe_host), media_url, min(timeout, 5.0))
        media_pool.shutdown(wait=False)

    def finish_media() -> None:
        if "media" not in results:
            media = guarded("media", lambda: check_media(credentials, media_future.result(), results.get("reachability")))
            media.outage = media.status == "fail"  # a network failure, like the API host's
            media.duration_ms = int((time.monotonic() - media_started) * 1000)
            results["media"] = media

    def reachability() -> CheckResult:
        if first is None:
            return check_reachability(credentials.api_url, min(timeout, 5.0), configured, media_future.result)
        return reachability_from(credentials.api_url, first.result, configured, media_future.result)

    def call(make: Callable[[], Any]) -> tuple[Fetched | None, int]:
        """The call's answer, or None when no connection could be opened (nothing was sent)."""
        started = time.monotonic()
        if first is not None and first.exception() is not None:
            return None, 0
        fetched = fetch(make)
        return fetched, int((time.monotonic() - started) * 1000)

    on_progress("Checking the project and the API host…")
    with ThreadPoolExecutor(max_workers=len(calls) + 2) as pool:
        hygiene = pool.submit(in_this_run(timed), "hygiene", lambda: check_hygiene(resolution.env_file, token, cwd))
        reached = pool.submit(in_this_run(timed), "reachability", reachability)
        futures = {name: pool.submit(in_this_run(call), make) for name, make in calls.items()}
        results["hygiene"] = hygiene.result()
        results["reachability"] = reached.result()
        if results["reachability"].status != "fail":
            on_progress("Asking Green API…")
        answers = {name: future.result() for name, future in futures.items()}
    if results["reachability"].status == "fail":
        results["reachability"].outage = True
        finish_media()
        return finish("the API host cannot be reached")

    state, elapsed = answers["credentials"]
    if state is None:  # cannot happen once reachability passed; kept for safety
        return finish("the API host cannot be reached")
    credentials_result = guarded(
        "credentials", lambda: check_credentials(state, credentials, lambda url: _probe(url, credentials, timeout, make_client))
    )
    credentials_result.duration_ms = elapsed
    if credentials_result.status == "fail":
        credentials_result.outage = _unanswered(state)
        results["credentials"] = credentials_result
        finish_media()
        return finish(_why_stopped(state.error))
    results["credentials"] = credentials_result
    results["state"] = timed("state", lambda: check_state(state))
    authorized = state.value == "authorized"
    fetched = {name: answer[0] or Fetched() for name, answer in answers.items()}
    now = time.time()
    later = {
        "socket": lambda: check_socket(fetched["socket"], state.value),
        "phone": lambda: check_phone(fetched["phone"], state.value),
        "notifications": lambda: check_notifications(fetched["notifications"]),
        "queue": lambda: check_queue(fetched["queue"], authorized),
        "incoming": lambda: check_incoming(fetched["incoming"], fetched["notifications"]),
        "link": lambda: check_link(fetched["link"], now),
        "statuses": lambda: check_statuses(fetched["notifications"]),
    }
    for name, check in later.items():
        result = guarded(name, check)
        result.duration_ms = answers["notifications" if name == "statuses" else name][1]
        results[name] = result
    finish_media()
    return finish("not run")


def _why_stopped(error: ApiError | None) -> str:
    if error is None or error.status is None:
        return "Green API did not answer"
    if error.status in (401, 403):
        return "the credentials were not accepted"
    return f"Green API answered {error.status}"


def _unanswered(fetched: Fetched) -> bool:
    """No answer, or one that says the service itself is failing (5xx, 429 after retries)."""
    error = fetched.error
    return error is not None and (error.status is None or error.status >= 500 or error.status == 429)


class InOrder(dict):  # type: ignore[type-arg]
    """Results by check id that hands each one on in ORDER, as soon as those before it are in.

    Checks may finish in any order (some run at once); the report reads top to bottom.
    """

    def __init__(self, on_result: Callable[[CheckResult], None]) -> None:
        super().__init__()
        self.on_result = on_result
        self.reported = 0

    def __setitem__(self, check_id: str, result: CheckResult) -> None:
        super().__setitem__(check_id, result)
        while self.reported < len(ORDER) and ORDER[self.reported] in self:
            self.on_result(self[ORDER[self.reported]])
            self.reported += 1

    def setdefault(self, check_id: str, default: CheckResult) -> CheckResult:  # type: ignore[override]
        if check_id not in self:
            self[check_id] = default
        return self[check_id]


def guarded(check_id: str, run: Callable[[], CheckResult]) -> CheckResult:
    """Run one check; if it breaks on something unforeseen, that check fails, not doctor."""
    from greencli.redaction import redact

    try:
        return run()
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - one broken check must not hide the others, whatever it raises
        return _result(check_id, "fail", f"This check could not run: {type(error).__name__}: {redact(str(error))[:200]}",
                       "Run `greencli --debug doctor` and report it; the other checks still stand.")


def _probe(api_url: str, credentials: Credentials, timeout: float, make_client: MakeClient) -> int | None:
    """The HTTP status getStateInstance gets from another Green API host, or None."""
    other = Credentials(credentials.instance_id, credentials.token, api_url)
    with make_client(other, timeout=min(timeout, 5.0), backoff=0) as client:
        try:
            client.get_state_instance()
            return 200
        except ApiError as error:
            return error.status


def _ignore_command(target: Path, shown: str) -> str:
    """The shell line that adds `target` to the .gitignore beside it, anchored and escaped as
    `greencli init` writes it (a name like "#creds" or "!creds" would otherwise be a comment
    or a negation)."""
    import shlex

    line = gitrepo.gitignore_line(target.name) or f"/{target.name}"
    return f"echo {shlex.quote(line)} >> {shlex.quote(os.path.join(os.path.dirname(shown), '.gitignore'))}"
