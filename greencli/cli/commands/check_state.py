"""`greencli check-state`: the instance state, what it means, and what to do about it."""

from typing import Annotated, Any

import typer

from greencli.cli.context import JsonOption, RunContext, use
from greencli.cli.instances import several_instances
from greencli.cli.output import styled
from greencli.cli.result import Result
from greencli.cli.seconds import finite_seconds


def check_state(
    ctx: typer.Context,
    wait: Annotated[
        float | None,
        typer.Option(
            "--wait",
            metavar="SECONDS",
            min=1,
            callback=finite_seconds,
            help="Wait until authorized, for at most SECONDS (polled once a second, the method's rate limit).",
        ),
    ] = None,
    json_output: JsonOption = False,
) -> Result:
    """Show the instance state and what to do about it.

    Exit 0 only when authorized; with --json, an object with stateInstance.

    Example: greencli check-state --wait 300
    """
    from greencli.errors import ApiError, ExitCode
    from greencli.flows.state_and_phone import state_and_phone, wait_until_authorized
    from greencli.greenapi.states import describe_state, format_phone

    run = use(ctx, json_output)
    out = run.output
    instances = several_instances(run)
    if instances:
        return _check_several(run, instances)
    client = run.client()

    wa_settings = client.get_wa_settings
    if not wait:
        state, wa_settings = state_and_phone(client)
    else:
        state = wait_until_authorized(client, wait, spinner=out.spinner)

    info = describe_state(state)
    phone = None
    if info.authorized:
        try:
            phone = format_phone(wa_settings().get("phone"))
        except ApiError as error:
            out.warn(f"Could not read the linked phone number: {error.message}")

    from greencli.redaction import mask

    sources = _sources(run)
    data: dict[str, Any] = {
        "ok": info.authorized,
        "stateInstance": state,
        "meaning": info.meaning,
        "hint": info.action,
        "phone": phone,
        "instanceId": client.credentials.instance_id,
        "apiUrl": client.credentials.api_url,
        "sources": sources,  # where each credential came from, as `gh auth status` shows
    }

    def render() -> None:  # at a glance: which instance, where, from where, its state and phone
        # Every state but authorized fails, as in doctor (and exits 1).
        out.status_line("pass" if info.authorized else "fail", styled(info.label, "bold"), f": {info.meaning}")
        out.fields(
            [
                (f"{out.indent}Instance", f"{client.credentials.instance_id}  (from {sources['instanceId']})"),
                (f"{out.indent}Host", f"{client.credentials.api_url}  (from {sources['apiUrl']})"),
                (f"{out.indent}Token", f"{mask(client.credentials.token)}  (from {sources['token']})"),
                (f"{out.indent}Phone", styled(phone, "bold") if phone else "none linked" if not info.authorized else "not known yet"),
            ]
        )
        if info.action:
            out.next_step(info.action)

    return Result(data, render, ExitCode.OK if info.authorized else ExitCode.NOT_FINE)


def _sources(run: Any) -> dict[str, str]:
    from greencli.config.loader import API_URL, INSTANCE_ID, TOKEN

    settings = run.resolution().settings
    return {key: str(settings[variable].origin or "unknown") for key, variable in (("instanceId", INSTANCE_ID), ("apiUrl", API_URL), ("token", TOKEN))}


def _check_several(run: RunContext, instances: list[tuple[str, RunContext]]) -> Result:
    """One row per instance (--env-file given several times); exit code by doctor's rule."""
    from concurrent.futures import ThreadPoolExecutor

    from greencli.doctor.many import MAX_CONCURRENT
    from greencli.doctor.verdict import combined
    from greencli.redaction import in_this_run

    out = run.output
    with out.spinner(f"Asking {len(instances)} instances for their state…"), ThreadPoolExecutor(max_workers=min(MAX_CONCURRENT, len(instances))) as pool:
        rows = list(pool.map(in_this_run(lambda pair: _one_instance(*pair)), instances))  # tokens known to the run
    final = combined(row["exitCode"] for row in rows)
    data = {"ok": final == 0, "instances": rows}

    def render() -> None:
        table = [("Instance", "ID", "State", "Linked phone")]
        for row in rows:
            state = row.get("stateInstance") if "error" not in row else ("unreachable" if row["exitCode"] == 3 else "invalid config")
            table.append((row["name"], row.get("instanceId") or "-", str(state), row.get("phone") or "-"))
        out.table(table)
        for row in rows:
            if "error" in row:
                out.line(styled(f"{row['name']}: ", "bold"), row["error"]["message"], err=True)

    return Result(data, render, final)


def _one_instance(name: str, run: RunContext) -> dict[str, Any]:
    from greencli.errors import GreenCliError
    from greencli.greenapi.states import describe_state, format_phone

    row: dict[str, Any] = {"name": name, "envFile": str(run.env_file())}
    try:
        row["instanceId"] = run.resolution().value("GREEN_API_INSTANCE_ID")
        client = run.client()
        state = client.get_state_instance()
        row["stateInstance"] = state
        authorized = describe_state(state).authorized
        row["phone"] = format_phone(client.get_wa_settings().get("phone")) if authorized else None
        row["exitCode"] = 0 if authorized else 1
    except GreenCliError as error:
        row["error"] = error.to_json()["error"]
        row["exitCode"] = int(error.exit_code)
    finally:
        run.close()
    return row
