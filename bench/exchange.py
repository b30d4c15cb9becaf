"""The full pre-shared-key exchange, its primitive floor, and memory per bundle.

One exchange (``psk_exchange``): the Initiator builds an I_MESSAGE asking for verification
(one crypto session, AES-CM-128 / HMAC-SHA-1-80, AES-CM-128 KEMAC, HMAC-SHA-1 MAC); the
Responder decodes it, checks timestamp and replay cache, derives the message keys, checks
the MAC, decrypts the TGK, maps the policy, records the message and answers with V; the
Initiator checks V; then each side derives its TEK and salt and creates its libsrtp
session (outbound at the Initiator, inbound at the Responder). RAND and keys come from
``os.urandom`` as in production; the clock advances a microsecond per
exchange, so the Responder's bounded replay cache fills and evicts as it would in service.

Its floor (``psk_exchange_primitives``) is the same crypto called directly, nothing else:
the three message keys of RFC 3830 §4.1.4 on each side (six PRF calls, two HMAC-SHA-1 each),
the KEMAC MAC computed and checked, V computed and checked (four HMACs over the real
message sizes), AES-128-CTR encryption and decryption of the key data, the TEK and salt
derivations of §4.1.3 on each side (four PRF calls), the random draws (CSB ID, RAND, TGK),
and two libsrtp sessions created through pylibsrtp. The ratio of the two says what the
protocol code costs on top of the crypto it cannot avoid.

Memory (``bundle_memory``): tracemalloc's growth of the Responder's state (bundles and
replay cache) over N exchanges, divided by N, with the bundle alone separated out.
"""

from __future__ import annotations

import gc
import os
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pylibsrtp
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mikey.modes import PskInitiator, PskResponder, ReplayCache
from mikey.srtp import SrtpSession
from mikey.wire.basic import TimestampPayload
from mikey.wire.message import decode_message

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
PSK = bytes(range(20))
_STATE_LIMIT = 20_000  # bundles kept before the bench clears them (bounded memory)


def make_exchange() -> tuple[Callable[[], tuple[SrtpSession, SrtpSession]], int]:
    """The exchange as one call, checked once; and the I_MESSAGE size."""
    initiator = PskInitiator(psk=PSK)
    responder = PskResponder(psk=PSK, replay_cache=ReplayCache(max_entries=_STATE_LIMIT))

    clock = count()

    def exchange() -> tuple[SrtpSession, SrtpSession]:
        # A clock that moves on, so the bounded replay cache evicts as in a real process.
        now = NOW + timedelta(microseconds=next(clock))
        message, _ = initiator.initiate(now=now, verify=True)
        result = responder.receive(message, now=now)
        if result.reply is None or result.bundle is None:
            raise SystemExit(f"bench: the exchange failed: {result.error}")
        bundle = initiator.receive_response(result.reply)
        sender = bundle.srtp_session(1, direction="outbound")
        receiver = result.bundle.srtp_session(1, direction="inbound")
        if len(responder.bundles) >= _STATE_LIMIT:
            responder.bundles.clear()
            initiator.bundles.clear()
        return sender, receiver

    sender, receiver = exchange()
    assert sender.ssrc is not None
    rtp = bytes.fromhex("800f1234decafbad") + sender.ssrc.to_bytes(4) + bytes(160)
    if receiver.unprotect(sender.protect(rtp)) != rtp:
        raise SystemExit("bench: the exchange's SRTP sessions do not agree")
    message, _ = initiator.initiate(now=NOW, verify=True)
    return exchange, len(message)


def make_primitives(message_size: int) -> Callable[[], object]:
    """The crypto of one exchange, called directly."""
    sha1 = hashes.SHA1()
    key16, iv = bytes(16), bytes(16)
    label = bytes(4) + b"\xff" + bytes(4) + bytes(16)  # constant ‖ 0xFF ‖ CSB ID ‖ RAND
    tgk_label = bytes(4) + b"\x01" + bytes(4) + bytes(16)  # constant ‖ cs_id ‖ CSB ID ‖ RAND
    i_message = bytes(message_size - 20)
    r_message = bytes(40)  # HDR with one SRTP-ID entry, T, V header, + IDs and T appended
    key_data = bytes(40)  # one TGK sub-payload (32-byte TGK)
    srtp_key = bytes(30)

    def hmac_sha1(key: bytes, data: bytes) -> bytes:
        h = hmac.HMAC(key, sha1)
        h.update(data)
        return h.finalize()

    def prf(key: bytes, label: bytes) -> bytes:  # one 160-bit block: two HMACs
        return hmac_sha1(key, hmac_sha1(key, label) + label)

    def aes_ctr(data: bytes) -> bytes:
        encryptor = Cipher(algorithms.AES(key16), modes.CTR(iv)).encryptor()
        return encryptor.update(data) + encryptor.finalize()

    def srtp_session() -> pylibsrtp.Session:
        policy = pylibsrtp.Policy(key=srtp_key, ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND)
        return pylibsrtp.Session(policy=policy)

    def primitives() -> object:
        os.urandom(4), os.urandom(16), os.urandom(32)  # CSB ID, RAND, TGK
        for _ in range(6):  # encr, auth, salt keys, on each side (RFC 3830 §4.1.4)
            prf(PSK, label)
        for _ in range(4):  # TEK and salt, on each side (§4.1.3)
            prf(key16, tgk_label)
        hmac_sha1(key16, i_message), hmac_sha1(key16, i_message)  # KEMAC MAC, both sides
        hmac_sha1(key16, r_message), hmac_sha1(key16, r_message)  # V, both sides
        aes_ctr(key_data), aes_ctr(key_data)  # KEMAC encryption and decryption
        return srtp_session(), srtp_session()

    primitives()
    return primitives


def bundle_memory(count: int) -> dict[str, Any]:
    """Bytes of Responder state per established bundle, over ``count`` exchanges."""
    initiator = PskInitiator(psk=PSK)
    responder = PskResponder(
        psk=PSK, replay_cache=ReplayCache(max_entries=count + 1), max_bundles=count + 1
    )
    messages = [initiator.initiate(now=NOW)[0] for _ in range(count)]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for message in messages:
        if not responder.receive(message, now=NOW).accepted:
            raise SystemExit("bench: an exchange failed while measuring memory")
    gc.collect()
    total = _growth(before)
    tracemalloc.stop()
    if len(responder.bundles) != count:
        raise SystemExit("bench: the Responder did not keep every bundle")
    # The replay cache's share, measured alone over the same messages.
    cache = ReplayCache(max_entries=count + 1)
    stamps = [decode_message(m).get(TimestampPayload) for m in messages]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for message, stamp in zip(messages, stamps, strict=True):
        assert stamp is not None
        cache.record(cache.check(message, stamp, now=NOW))
    gc.collect()
    replay = _growth(before)
    tracemalloc.stop()
    return {
        "bundles": count,
        "bytes_per_bundle_with_replay_entry": total / count,
        "bytes_per_replay_entry": replay / count,
        "bytes_per_bundle": (total - replay) / count,
    }


def _growth(before: tracemalloc.Snapshot) -> int:
    after = tracemalloc.take_snapshot()
    return sum(stat.size_diff for stat in after.compare_to(before, "filename"))
