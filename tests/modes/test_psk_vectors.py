"""A published transcript of whole pre-shared-key exchanges (RFC 3830 §3.1, §4.1.3,
§4.1.4, §4.2.3, §5.2), checked by an independent computation.

``tests/vectors/mikey-psk-exchange/exchange.json`` holds, for fixed inputs (PSK, clock,
and the bytes the Initiator and Responder draw), the I_MESSAGE and R_MESSAGE that
``mikey.modes`` produces and the SRTP master key and salt of each crypto session. The test
makes the exchange again and requires the same bytes, and then checks every
cryptographic step with the minimal standard-library code of ``tests/crypto``: the
KEMAC MAC over the whole I_MESSAGE, the key data decrypted with AES-CM under the §4.2.3 IV,
V over the R_MESSAGE followed by IDi ‖ IDr ‖ T, and each TEK and salt derived from the
TGK with the §4.1.3 label. Other implementations can check against the file.
Regenerate with ``.venv/bin/python -m tests.modes.test_psk_vectors``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mikey.modes import CryptoSessionSpec, PskInitiator, PskResponder
from mikey.registry import PrfFunc
from mikey.srtp.policy import AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80, SrtpPolicy

from ..crypto.reference_prf import message_label, reference_prf, tgk_label

VECTORS = Path(__file__).parents[1] / "vectors" / "mikey-psk-exchange" / "exchange.json"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
POLICIES = {p.name: p for p in (AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM)}
TEK, SALT = 0x2AD01C64, 0x39A2C14B  # RFC 3830 Table 4.1.3
ENCRYPTION, AUTHENTICATION, KEMAC_SALT = 0x150533E1, 0x2D22AC75, 0x29B88916  # Table 4.1.4

CASES: list[dict[str, Any]] = [
    {
        "name": "psk-two-streams-mikey-1",
        "prf": "MIKEY-1",
        "psk": "000102030405060708090a0b0c0d0e0f10111213",
        "initiator_id": "sip:alice@example.com",
        "responder_id": "sip:bob@example.com",
        "streams": [
            {"policy": "AES_CM_128_HMAC_SHA1_80", "ssrc": 0x11223344, "roc": 0},
            {"policy": "AEAD_AES_128_GCM", "ssrc": 0x55667788, "roc": 3},
        ],
    },
    {
        "name": "psk-one-stream-prf-hmac-sha-256",
        "prf": "PRF-HMAC-SHA-256",
        "psk": "ffeeddccbbaa99887766554433221100",
        "initiator_id": "sip:carol@example.com",
        "responder_id": "sip:dave@example.com",
        "streams": [{"policy": "AES_CM_128_HMAC_SHA1_80", "ssrc": 0x0A0B0C0D, "roc": 0}],
    },
]


def counting_rng(seed: int) -> Callable[[int], bytes]:
    """Deterministic 'random' bytes: SHA-256 of seed ‖ counter, concatenated."""
    counter = 0

    def rng(n: int) -> bytes:
        nonlocal counter
        out = b""
        while len(out) < n:
            out += hashlib.sha256(seed.to_bytes(4) + counter.to_bytes(8)).digest()
            counter += 1
        return out[:n]

    return rng


def run(case: dict[str, Any]) -> dict[str, Any]:
    """The exchange made by mikey.modes, as hex."""
    psk = bytes.fromhex(case["psk"])
    prf = PrfFunc.PRF_HMAC_SHA_256 if case["prf"] == "PRF-HMAC-SHA-256" else PrfFunc.MIKEY_1
    initiator = PskInitiator(
        psk=psk,
        prf_func=prf,
        identity=case["initiator_id"].encode(),
        peer_identity=case["responder_id"].encode(),
        rng=counting_rng(1),
    )
    responder = PskResponder(psk=psk, identity=case["responder_id"].encode(), rng=counting_rng(2))
    streams = [
        CryptoSessionSpec(policy=POLICIES[s["policy"]], ssrc=s["ssrc"], roc=s["roc"])
        for s in case["streams"]
    ]
    i_message, bundle = initiator.initiate(streams, now=NOW, verify=True)
    result = responder.receive(i_message, now=NOW)
    assert result.reply is not None and result.bundle is not None, result.error
    assert initiator.receive_response(result.reply) is bundle
    keys = []
    for cs in bundle.crypto_sessions:
        key, salt = bundle.srtp_master_key(cs.cs_id)
        assert (key, salt) == result.bundle.srtp_master_key(cs.cs_id)
        keys.append({"cs_id": cs.cs_id, "master_key": key.hex(), "master_salt": salt.hex()})
    return {
        **case,
        "now": NOW.isoformat(),
        "csb_id": f"{bundle.csb_id:08x}",
        "rand": bundle.rand.hex(),
        "tgk": bundle.traffic_key.key.hex(),
        "i_message": i_message.hex(),
        "r_message": result.reply.hex(),
        "srtp": keys,
    }


def independent_check(vector: dict[str, Any]) -> Iterator[str]:
    """Every cryptographic step recomputed with the standard library and AES-CTR."""
    sha256 = vector["prf"] == "PRF-HMAC-SHA-256"
    psk, rand = bytes.fromhex(vector["psk"]), bytes.fromhex(vector["rand"])
    csb_id = int(vector["csb_id"], 16)
    i_message, r_message = bytes.fromhex(vector["i_message"]), bytes.fromhex(vector["r_message"])

    def message_key(constant: int, bits: int) -> bytes:
        return reference_prf(psk, message_label(constant, csb_id, rand), bits, sha256)

    encryption, authentication = message_key(ENCRYPTION, 128), message_key(AUTHENTICATION, 160)
    salt = message_key(KEMAC_SALT, 112)
    # §5.2: the KEMAC MAC (HMAC-SHA-1, the last 20 bytes) covers everything before it.
    expected = hmac.new(authentication, i_message[:-20], hashlib.sha1).digest()
    assert i_message[-20:] == expected, "I_MESSAGE MAC"
    yield "I_MESSAGE MAC"
    # §4.2.3: IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000; T is the T payload's value
    # (HDR of 10 + 9 bytes per crypto session, then T: next, type, 8-byte value).
    t_at = 10 + 9 * len(vector["streams"])
    t_value = i_message[t_at + 2 : t_at + 10]
    fields = b"\x00\x00" + csb_id.to_bytes(4) + t_value
    iv = bytes(a ^ b for a, b in zip(salt, fields, strict=True)) + b"\x00\x00"
    tgk = bytes.fromhex(vector["tgk"])
    # The KEMAC's Encr data: a 40-byte TGK sub-payload (next, type/KV, length, 32 + 4
    # bytes), ending 20 bytes of MAC and one MAC-alg byte before the end.
    encr_data = i_message[-21 - 36 : -21]
    decryptor = Cipher(algorithms.AES(encryption), modes.CTR(iv)).decryptor()
    plaintext = decryptor.update(encr_data) + decryptor.finalize()
    assert plaintext == b"\x00\x00\x00\x20" + tgk, "KEMAC key data"
    yield "KEMAC decryption"
    # §5.2: V = MAC(R_MESSAGE without the MAC field || IDi || IDr || T).
    trailer = vector["initiator_id"].encode() + vector["responder_id"].encode() + t_value
    v = hmac.new(authentication, r_message[:-20] + trailer, hashlib.sha1).digest()
    assert r_message[-20:] == v, "R_MESSAGE V"
    yield "V"
    # §4.1.3: TEK and salt per crypto session from the TGK.
    for stream, keys in zip(vector["streams"], vector["srtp"], strict=True):
        policy: SrtpPolicy = POLICIES[stream["policy"]]
        cs_id = keys["cs_id"]
        tek = reference_prf(
            tgk, tgk_label(TEK, cs_id, csb_id, rand), 8 * policy.master_key_length, sha256
        )
        srtp_salt = reference_prf(
            tgk, tgk_label(SALT, cs_id, csb_id, rand), 8 * policy.master_salt_length, sha256
        )
        assert (tek.hex(), srtp_salt.hex()) == (keys["master_key"], keys["master_salt"])
        yield f"SRTP keys of crypto session {cs_id}"


def load() -> list[dict[str, Any]]:
    vectors: list[dict[str, Any]] = json.loads(VECTORS.read_text())
    return vectors


@pytest.mark.parametrize("vector", load(), ids=lambda v: v["name"])
def test_the_exchange_reproduces_the_published_transcript(vector: dict[str, Any]) -> None:
    case = next(c for c in CASES if c["name"] == vector["name"])
    assert run(case) == vector


@pytest.mark.parametrize("vector", load(), ids=lambda v: v["name"])
def test_the_transcript_checks_out_independently(vector: dict[str, Any]) -> None:
    checked = list(independent_check(vector))
    assert len(checked) == 3 + len(vector["streams"])


def test_every_case_is_published() -> None:
    assert [v["name"] for v in load()] == [c["name"] for c in CASES]


if __name__ == "__main__":
    VECTORS.write_text(json.dumps([run(case) for case in CASES], indent=2) + "\n")
    print(f"wrote {VECTORS}")
