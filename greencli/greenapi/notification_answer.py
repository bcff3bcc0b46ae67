"""Reading receiveNotification's answer so that no notification can block the queue.

The answer is `{"receiptId": <int>, "body": <notification>}`, or `null` when nothing arrived
(https://green-api.com/en/docs/api/receiving/technology-http-api/ReceiveNotification/). Whatever
the body holds, its receipt must be readable, or the notification could never be deleted and
every later one would wait behind it. So the answer is first cut into its members by their
brackets and quotes alone, at the byte level, without decoding anything; only then is the
body read as JSON. A body greencli refuses (nested deeper than strict_json allows, a number of
thousands of digits, bytes that are not UTF-8) still comes with its receipt and its exact
bytes, so it can be forwarded or set aside as it is, and then deleted.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, NamedTuple

from greencli.greenapi.strict_json import UnusableJson, parse_json

_SPACE = b" \t\r\n"
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # after an opening quote, through the closing one
_STRUCTURE = re.compile(rb'["\[\]{}]')
_LITERAL_END = re.compile(rb"[,\]}\s]")
_RECEIPT = re.compile(rb"[0-9]{1,19}")  # a receiptId Green API could hand out: a non-negative integer


class Cut(NamedTuple):
    """receiveNotification's answer, taken apart; `body` is read as far as greencli can."""

    receipt_id: int
    raw_body: bytes  # the body exactly as the answer carried it
    body: Any  # the decoded body; None when `unreadable`
    unreadable: str | None  # why the body could not be read, when it could not


class NotAnAnswer(ValueError):
    """The answer is not an object with a receiptId number and a body."""


def cut_answer(answer: bytes) -> Cut | None:
    """The notification in `answer` (None for `null`: nothing arrived), or NotAnAnswer."""
    if answer.strip(_SPACE) == b"null":
        return None
    members = _members(answer)
    receipt = members.get("receiptId")
    if receipt is None or "body" not in members or not _RECEIPT.fullmatch(receipt):
        raise NotAnAnswer("not an object with a receiptId number and a body")
    raw_body = members["body"]
    body, unreadable = read_body(raw_body)
    return Cut(int(receipt), raw_body, body, unreadable)


def read_body(raw: bytes) -> tuple[Any, str | None]:
    """`raw` decoded as JSON (NaN and Infinity become None), or (None, why it cannot be)."""
    try:
        text = raw.decode("utf-8")  # JSON travels as UTF-8 (RFC 8259 §8.1)
    except UnicodeDecodeError:
        return None, "it is not UTF-8 text"
    try:
        return parse_json(text, lenient_numbers=True), None
    except UnusableJson as error:
        return None, f"it is {error}"
    except ValueError as error:
        if "digits" in str(error):  # Python refuses to convert very long integers
            limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
            return None, f"it holds a number of more than {limit} digits"
        return None, "it is not valid JSON"


def _members(answer: bytes) -> dict[str, bytes]:
    """The raw bytes of each member of the JSON object `answer` (the last of a repeated key,
    as a JSON parser keeps it). Values are delimited, not decoded: any depth, any length."""
    index = _skip(answer, 0)
    if answer[index : index + 1] != b"{":
        raise NotAnAnswer("not a JSON object")
    members: dict[str, bytes] = {}
    index = _skip(answer, index + 1)
    if answer[index : index + 1] == b"}":
        return members
    while True:
        if answer[index : index + 1] != b'"':
            raise NotAnAnswer("a member without a name")
        end = _string_end(answer, index)
        try:
            name = json.loads(answer[index:end].decode("utf-8"))
        except ValueError:
            raise NotAnAnswer("a member name that cannot be read") from None
        index = _skip(answer, end)
        if answer[index : index + 1] != b":":
            raise NotAnAnswer("a member without a value")
        start = _skip(answer, index + 1)
        end = _value_end(answer, start)
        members[name] = answer[start:end]
        index = _skip(answer, end)
        separator = answer[index : index + 1]
        if separator == b"}":
            if answer[_skip(answer, index + 1) :]:
                raise NotAnAnswer("text after the object")
            return members
        if separator != b",":
            raise NotAnAnswer("members not separated by commas")
        index = _skip(answer, index + 1)


def _skip(data: bytes, index: int) -> int:
    while index < len(data) and data[index] in _SPACE:
        index += 1
    return index


def _string_end(data: bytes, start: int) -> int:
    """The index after the string whose opening quote is at `start`."""
    match = _STRING_REST.match(data, start + 1)
    if match is None:
        raise NotAnAnswer("a string that does not end")
    return match.end()


def _value_end(data: bytes, start: int) -> int:
    """The index after the value at `start`: a string to its closing quote, an array or object
    to its matching bracket (strings inside skipped), anything else to the next delimiter."""
    first = data[start : start + 1]
    if first == b'"':
        return _string_end(data, start)
    if first in (b"[", b"{"):
        depth = 0
        index = start
        while True:
            match = _STRUCTURE.search(data, index)
            if match is None:
                raise NotAnAnswer("brackets that do not close")
            found = match.group()
            if found == b'"':
                index = _string_end(data, match.start())
                continue
            depth += 1 if found in (b"[", b"{") else -1
            index = match.end()
            if depth == 0:
                return index
    match = _LITERAL_END.search(data, start)
    end = match.start() if match else len(data)
    if end == start:
        raise NotAnAnswer("a member without a value")
    return end
