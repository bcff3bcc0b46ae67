"""Whether the credentials can be right, before any request: the rules for the instance ID,
the token and the host URLs, and the warning when one source overrides another."""

from __future__ import annotations

from urllib.parse import urlsplit

from greencli.config.variables import (
    API_URL,
    INSTANCE_ID,
    MEDIA_URL,
    OPTION_FOR,
    TOKEN,
    Level,
    Origin,
    Problem,
    Setting,
    clean,
)
from greencli.greenapi.credentials import (
    DEFAULT_API_URL,
    TOKEN_EXPECTED,
    TOKEN_SHAPE,
    OtherProduct,
    check_url_shape,
    is_digits,
    other_product,
    token_problem,
)


def validate(settings: dict[str, Setting]) -> list[Problem]:
    """Every problem with the resolved settings: each value's own, then a warning for each
    value that overrides a different one from a lower source."""
    return _check(settings) + _shadow_warnings(settings)


def check_values(instance_id: str | None, token: str | None, api_url: str | None) -> list[Problem]:
    """Validate credentials typed at a prompt, by the same rules as the loader."""
    origin = Origin("option", "your input")

    def setting(variable: str, value: str | None) -> Setting:
        value = clean(value)
        if value is not None and variable == API_URL:
            value = value.rstrip("/")
        return Setting(variable, value, origin if value is not None else None)

    return _check(
        {
            INSTANCE_ID: setting(INSTANCE_ID, instance_id),
            TOKEN: setting(TOKEN, token),
            API_URL: setting(API_URL, api_url or DEFAULT_API_URL),
            MEDIA_URL: setting(MEDIA_URL, None),
        }
    )


def _check(settings: dict[str, Setting]) -> list[Problem]:
    problems: list[Problem] = []
    missing = [v for v in (INSTANCE_ID, TOKEN) if settings[v].value is None]
    if missing:
        names = " and ".join(missing)
        options = " and ".join(OPTION_FOR[v] for v in missing)
        one = len(missing) == 1
        problems.append(
            Problem(
                "error",
                "missing_credentials",
                f"{names} {'is' if one else 'are'} not set.",
                f"Run `greencli init` to write {'it' if one else 'them'} to .env, set {names} in the "
                f"environment, or pass {options}. {'It is' if one else 'Both are'} on the instance's "
                "page at console.green-api.com.",
                missing[0],
            )
        )

    instance_id = settings[INSTANCE_ID].value
    if instance_id is not None and not is_digits(instance_id):
        problems.append(
            Problem(
                "error",
                "invalid_instance_id",
                f"{INSTANCE_ID} must be digits only (the idInstance, like 1101000001); "
                f"the value from {settings[INSTANCE_ID].origin} is not.",
                "Copy idInstance from the instance's page at console.green-api.com.",
                INSTANCE_ID,
            )
        )
    elif instance_id is not None and not 4 <= len(instance_id) <= 13:
        problems.append(
            Problem(
                "warning",
                "unusual_instance_id",
                f"{INSTANCE_ID} has {len(instance_id)} digits; instance IDs usually have 10.",
                "Check that you copied the whole idInstance from the console.",
                INSTANCE_ID,
            )
        )

    token = settings[TOKEN].value
    if token is not None:
        why = token_problem(token)
        if why:
            problems.append(
                Problem(
                    "error",
                    "invalid_token",
                    f"{TOKEN} (from {settings[TOKEN].origin}) {why}, so it cannot be the "
                    f"apiTokenInstance ({TOKEN_EXPECTED}).",
                    "Copy apiTokenInstance again from the instance's page at console.green-api.com.",
                    TOKEN,
                )
            )
        elif not TOKEN_SHAPE.fullmatch(token):
            shape = (
                f"this one has {len(token)} characters"
                if len(token) != 50
                else "this one has other characters than 0-9 and a-f"
            )
            problems.append(
                Problem(
                    "warning",
                    "unusual_token",
                    f"{TOKEN} does not look like an apiTokenInstance (usually 50 lowercase hex characters; {shape}).",
                    "Check that you copied the whole apiTokenInstance from the console.",
                    TOKEN,
                )
            )

    problems.extend(_validate_url(settings[API_URL], required=True))
    if settings[MEDIA_URL].value is not None:
        problems.extend(_validate_url(settings[MEDIA_URL], required=False))

    # No check that the host "matches" the instance ID: hosts cannot be derived from the ID
    # (1101... instances use 1101.api.green-api.com; pools such as 7700 and 5700 are shared;
    # https://green-api.com/en/docs/api/recommendations/using-green-api-hosts/).
    return problems


def _validate_url(setting: Setting, required: bool) -> list[Problem]:
    url = setting.value
    if url is None:
        return []
    level: Level = "error" if required else "warning"
    example = "https://7103.api.greenapi.com" if required else "https://7103.media.greenapi.com"
    hint = f"Copy {'apiUrl' if required else 'mediaUrl'} from the instance's page at console.green-api.com, e.g. {example}"
    why = check_url_shape(url)
    if why:
        return [Problem(level, "invalid_api_url", f"{setting.variable} {why}.", hint, setting.variable)]
    path = urlsplit(url).path
    product = other_product(url)
    if product is not None:
        return [_other_product_problem(setting, product, level)]
    if "waInstance" in path:
        return [
            Problem(
                level,
                "invalid_api_url",
                f"{setting.variable} contains a whole request path; it must be the host only.",
                hint,
                setting.variable,
            )
        ]
    return []


def _other_product_problem(setting: Setting, product: OtherProduct, level: Level) -> Problem:
    """An address of Green API's MAX or Telegram API, not of WhatsApp: an error when its path
    says so, a warning when only its host does (that host is observed in the Telegram docs)."""
    if product.certain:
        message = f"{setting.variable} {product.sign}, the address form of Green API's {product.product} product, not of WhatsApp."
    else:
        message = (f"{setting.variable} {product.sign}, the host that Green API's {product.product} docs and SDKs use: "
                   f"is this a {product.product} instance?")
    if product.without is not None:
        hint = f"Remove {product.sign.split()[-1]}: {product.without}"
    else:
        hint = ("greencli works with WhatsApp instances: copy apiUrl and mediaUrl of a WhatsApp instance from "
                "console.green-api.com (a Telegram instance needs Green API's Telegram tools).")
    return Problem(level if product.certain else "warning", "invalid_api_url", message, hint, setting.variable)


def _describe(origin: Origin | None) -> str:
    if origin is not None and origin.kind == "environment":
        return "the environment"
    return str(origin)


def _shadow_warnings(settings: dict[str, Setting]) -> list[Problem]:
    problems = []
    for setting in settings.values():
        for origin in setting.shadowed:
            problems.append(
                Problem(
                    "warning",
                    "shadowed_variable",
                    f"{setting.variable} from {_describe(setting.origin)} overrides a different value "
                    f"in {_describe(origin)}.",
                    f"Remove the one you do not mean, so there is one source of {setting.variable}.",
                    setting.variable,
                )
            )
    return problems
