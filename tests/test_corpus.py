"""Replay every input that ever broke a MIKEY parser (``tests/corpus/README.md``)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

from mikey.errors import MikeyParseError
from mikey.wire.message import decode_message
from mikey.wire.profiles import PROFILES

CORPUS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "corpus/corpus.json").read_text()
)


@pytest.mark.parametrize("entry", CORPUS, ids=[e["name"] for e in CORPUS])
def test_corpus_entry(entry: dict[str, Any]) -> None:
    data = bytes.fromhex(entry["hex"])
    try:
        decode_message(data)
        outcome = "message"
    except MikeyParseError as exc:
        outcome = f"{exc.payload} at byte {exc.offset}"
    assert outcome == entry["expect"]
    for profile in PROFILES.values():  # any other exception fails the test
        with contextlib.suppress(MikeyParseError):
            decode_message(data, profile=profile)
