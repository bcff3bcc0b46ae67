"""Checks of this machine before any network: the configuration and the shape of the
credentials. (Whether anything exposes the token is greencli.doctor.checks.hygiene.)"""

from __future__ import annotations

from greencli.config import loader as config
from greencli.config.variables import ProblemCode
from greencli.doctor.declaration import Check, Gate, Stage
from greencli.doctor.result import Verdict, failed, passed, skipped, warned


def check_config(resolution: config.Resolution) -> Verdict:
    settings = resolution.settings
    details = []
    for variable in config.VARIABLES:
        setting = settings[variable]
        if setting.value is not None:
            details.append(f"{variable}: from {setting.origin}")
    codes: tuple[ProblemCode, ...] = ("missing_credentials", "env_file_error", "shadowed_variable", "duplicate_variable")
    problems = [p for p in resolution.problems if p.code in codes]
    errors = [p for p in problems if p.level == "error"]
    if errors:
        return failed(errors[0].message, errors[0].hint, details + [p.message for p in errors[1:]])
    sources = sorted({str(settings[v].origin) for v in (config.INSTANCE_ID, config.TOKEN) if settings[v].origin})
    message = f"Credentials found ({', '.join(sources)})"
    warnings = [p for p in problems if p.level == "warning"]
    if warnings:
        return warned(warnings[0].message, warnings[0].hint, details + [p.message for p in warnings[1:]])
    return passed(message, None, details)


def check_format(resolution: config.Resolution) -> Verdict:
    codes: tuple[ProblemCode, ...] = ("invalid_instance_id", "unusual_instance_id", "invalid_token", "unusual_token", "invalid_api_url")
    problems = [p for p in resolution.problems if p.code in codes]
    if resolution.value(config.INSTANCE_ID) is None or resolution.value(config.TOKEN) is None:
        if not problems:
            return skipped("credentials are missing (see Configuration)")
    errors = [p for p in problems if p.level == "error"]
    if errors:
        return failed(errors[0].message, errors[0].hint, [p.message for p in problems[1:]])
    if problems:
        return warned(problems[0].message, problems[0].hint, [p.message for p in problems[1:]])
    return passed("Instance ID, token and API URL look right")


CHECKS = (
    Check("config", "Configuration", lambda evidence: check_config(evidence.resolution), Stage.LOCAL, opens=Gate.CONFIGURED),
    Check("format", "Credential format", lambda evidence: check_format(evidence.resolution), Stage.LOCAL, opens=Gate.CONFIGURED),
)
