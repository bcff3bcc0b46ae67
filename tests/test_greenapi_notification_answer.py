"""receiveNotification's answer is cut into receipt and body at the byte level, so any body,
readable or not, comes with its receipt and its exact bytes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greencli.greenapi.notification_answer import NotAnAnswer, cut_answer

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@given(receipt=st.integers(min_value=0, max_value=2**63 - 1), body=JSON, spaced=st.booleans())
def test_any_json_body_comes_out_as_written(receipt: int, body: object, spaced: bool) -> None:
    written = json.dumps(body, ensure_ascii=False, indent=1 if spaced else None).encode()
    answer = b'{ "receiptId" : %d ,\n "body" : %s }' % (receipt, written) if spaced else b'{"receiptId":%d,"body":%s}' % (receipt, written)
    cut = cut_answer(answer)
    assert cut is not None
    assert (cut.receipt_id, cut.raw_body, cut.unreadable) == (receipt, written, None)
    assert cut.body == body


def test_strings_with_brackets_quotes_and_escapes_do_not_end_the_body() -> None:
    body = b'{"a": [1, {"b": "}\\"]"}], "t": "\\u0432\\\\"}'
    cut = cut_answer(b'{"body": ' + body + b', "receiptId": 5}')
    assert cut is not None and cut.raw_body == body and cut.body == {"a": [1, {"b": '}"]'}], "t": "в\\"}


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "it is nested more than 64 levels deep"),
        (b'{"n": ' + b"9" * 5000 + b"}", "it holds a number of more than 4300 digits"),
        (b'"\xff\xfe"', "it is not UTF-8 text"),
        (b"{NaN garbage]", "it is not valid JSON"),
    ],
)
def test_a_body_greencli_refuses_keeps_its_receipt_and_bytes(body: bytes, why: str) -> None:
    cut = cut_answer(b'{"receiptId": 12, "body": ' + body + b"}")
    assert cut is not None
    assert (cut.receipt_id, cut.raw_body, cut.body, cut.unreadable) == (12, body, None, why)


def test_nan_and_infinity_read_as_null() -> None:
    cut = cut_answer(b'{"receiptId": 1, "body": {"t": NaN, "u": [Infinity, 1e999]}}')
    assert cut is not None and cut.body == {"t": None, "u": [None, None]} and cut.unreadable is None


def test_null_means_nothing_arrived() -> None:
    assert cut_answer(b" null\n") is None


@pytest.mark.parametrize(
    "answer",
    [
        b"",
        b"[]",
        b'{"receiptId": 1}',
        b'{"body": {}}',
        b'{"receiptId": "1", "body": {}}',
        b'{"receiptId": -1, "body": {}}',
        b'{"receiptId": 1.5, "body": {}}',
        b'{"receiptId": ' + b"1" * 20 + b', "body": {}}',
        b'{"receiptId": 1, "body": [[[}',
        b'{"receiptId": 1, "body": "never ends}',
        b'{"receiptId": 1, "body": {}} trailing',
        b'{"receiptId": 1 "body": {}}',
    ],
)
def test_an_answer_without_a_readable_receipt_and_body_is_not_an_answer(answer: bytes) -> None:
    with pytest.raises(NotAnAnswer):
        cut_answer(answer)
