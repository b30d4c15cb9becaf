"""The MIKEY PRF and key derivations (RFC 3830 §4.1, RFC 6043 §6.1) against an independent
transcription and the published known-answer vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mikey.crypto import MessageKeyConstant, TgkConstant, derive_from_tgk, derive_message_key, prf
from mikey.errors import MikeyValueError
from mikey.registry import PrfFunc

from .reference_prf import message_label, reference_prf, tgk_label

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "vectors/mikey-kdf/mikey-kdf.json").read_text()
)
PRFS = {"MIKEY-1": PrfFunc.MIKEY_1, "PRF-HMAC-SHA-256": PrfFunc.PRF_HMAC_SHA_256}
TGK_CONSTANTS = {c.value: c for c in TgkConstant}
MESSAGE_CONSTANTS = {c.value: c for c in MessageKeyConstant}


def _e_digits(count: int) -> str:
    """The first ``count`` decimal digits of e after "2.", from sum(1/k!) in integers."""
    scale = 10 ** (count + 10)
    total, term, k = 0, scale, 0
    while term:
        total += term
        k += 1
        term //= k
    return str(total)[1 : count + 1]


def test_constants_are_consecutive_chunks_of_e() -> None:
    # RFC 3830 §4.1.3: "taken from the decimal digits of e ... consecutive chunks".
    digits = _e_digits(63)
    chunks = [int(digits[i : i + 9]) for i in range(0, 63, 9)]
    assert chunks == [
        TgkConstant.TEK,
        TgkConstant.AUTHENTICATION,
        TgkConstant.ENCRYPTION,
        MessageKeyConstant.ENCRYPTION,
        MessageKeyConstant.AUTHENTICATION,
        MessageKeyConstant.SALT,
        TgkConstant.SALT,
    ]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_known_answers(vector: dict[str, Any]) -> None:
    inkey = bytes.fromhex(vector["inkey"])
    rand = bytes.fromhex(vector["rand"])
    csb_id = int(vector["csb_id"], 16)
    constant = int(vector["constant"], 16)
    length = vector["outkey_len_bits"] // 8
    prf_func = PRFS[vector["prf"]]
    if vector["derivation"] == "tgk":
        label = tgk_label(constant, vector["cs_id"], csb_id, rand)
        ours = derive_from_tgk(
            inkey,
            TGK_CONSTANTS[constant],
            cs_id=vector["cs_id"],
            csb_id=csb_id,
            rand=rand,
            length=length,
            prf_func=prf_func,
        )
    else:
        label = message_label(constant, csb_id, rand)
        ours = derive_message_key(
            inkey,
            MESSAGE_CONSTANTS[constant],
            csb_id=csb_id,
            rand=rand,
            length=length,
            prf_func=prf_func,
        )
    assert label.hex() == vector["label"]
    independent = reference_prf(
        inkey, label, vector["outkey_len_bits"], prf_func == PrfFunc.PRF_HMAC_SHA_256
    )
    assert independent.hex() == vector["outkey"]
    assert ours.hex() == vector["outkey"]


@given(
    inkey=st.binary(min_size=1, max_size=100),
    label=st.binary(max_size=60),
    length=st.integers(0, 100),
    sha256=st.booleans(),
)
def test_prf_agrees_with_the_reference(
    inkey: bytes, label: bytes, length: int, sha256: bool
) -> None:
    prf_func = PrfFunc.PRF_HMAC_SHA_256 if sha256 else PrfFunc.MIKEY_1
    assert prf(inkey, label, length, prf_func) == reference_prf(inkey, label, 8 * length, sha256)


def test_prefix_property_and_key_separation() -> None:
    key, label = bytes(16), b"label"
    # Outputs of different lengths share their prefix (the most significant bits).
    assert prf(key, label, 60)[:16] == prf(key, label, 16)
    rand = bytes(16)
    tek1 = derive_from_tgk(key, TgkConstant.TEK, cs_id=1, csb_id=7, rand=rand, length=16)
    tek2 = derive_from_tgk(key, TgkConstant.TEK, cs_id=2, csb_id=7, rand=rand, length=16)
    salt1 = derive_from_tgk(key, TgkConstant.SALT, cs_id=1, csb_id=7, rand=rand, length=16)
    assert len({tek1, tek2, salt1}) == 3


@pytest.mark.parametrize(
    "call",
    [
        lambda: prf(b"", b"x", 16),
        lambda: prf(b"k", b"x", 16, 7),
        lambda: prf(b"k", b"x", -1),
        lambda: derive_from_tgk(b"k", TgkConstant.TEK, cs_id=256, csb_id=1, rand=b"r", length=16),
        lambda: derive_message_key(
            b"k", MessageKeyConstant.SALT, csb_id=1 << 32, rand=b"r", length=14
        ),
        lambda: derive_message_key(b"k", MessageKeyConstant.SALT, csb_id=1, rand=b"", length=14),
    ],
)
def test_bad_inputs_are_refused(call: object) -> None:
    with pytest.raises(MikeyValueError):
        call()  # type: ignore[operator]
