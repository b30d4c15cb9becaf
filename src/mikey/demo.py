"""``make demo``: what mikey does today, step by step, on this machine alone.

Two endpoints run a pre-shared-key MIKEY exchange (RFC 3830 §3.1) for an audio and a
video stream, key libsrtp with the result and carry RTP and RTCP across, rekey with the
rollover counter continuing, and show what is refused (wrong key, replay, bad policy,
stale clock). Then the wire format: messages of every kind encoded, decoded, shown as
they travel in SDP (RFC 4567), and damaged input refused with the payload and offset at
fault. Later issues grow it into the whole system (PKI, signed API, service).
"""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table

from mikey.cli.render import render_tree
from mikey.errors import MikeyError, MikeyParseError
from mikey.modes import CryptoSessionSpec, PskInitiator, PskResponder
from mikey.pki import IssuedCertificate, TrustStore
from mikey.registry import DataType, ErrorNo, label_of
from mikey.session import CryptoSessionBundle
from mikey.signalling import sdes
from mikey.srtp import AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80, NULL_HMAC_SHA1_80
from mikey.wire.describe import describe
from mikey.wire.message import Message, decode_message
from mikey.wire.samples import psk_message, sample_certificate, sample_message

__all__ = ["main"]


def _step(console: Console, number: int, title: str) -> None:
    console.print()
    console.print(Rule(f"[bold]Step {number}[/bold] · {title}", align="left"))


def _show(console: Console, message: Message, *, tree: bool = True) -> bytes:
    data = message.encode()
    decoded = decode_message(data)
    assert decoded == message, "decode(encode(message)) must give the message back"
    kinds = ", ".join(p.payload_type.label for p in message.payloads)
    console.print(
        f"  {label_of(message.data_type, DataType)}: HDR, {escape(kinds)}"
        f" — {len(data)} bytes, decoded back identical"
    )
    if tree:
        console.print(render_tree(describe(decoded), "[bold green]MIKEY message[/bold green]"))
    return data


AUDIO_SSRC, VIDEO_SSRC = 0xA0D10001, 0x71DE0002
NOW = datetime.now(UTC)


def _rtp(seq: int, ssrc: int, payload: bytes) -> bytes:
    """An RTP packet (RFC 3550 §5.1): V=2, PT 96."""
    return (
        bytes([0x80, 96]) + seq.to_bytes(2) + (seq * 160).to_bytes(4) + ssrc.to_bytes(4) + payload
    )


def _rtcp(ssrc: int) -> bytes:
    """An RTCP sender report (RFC 3550 §6.4.1) with an empty-ish body."""
    return bytes([0x80, 200, 0, 6]) + ssrc.to_bytes(4) + bytes(20)


def _exchange(
    console: Console,
) -> tuple[PskInitiator, PskResponder, CryptoSessionBundle, CryptoSessionBundle]:
    psk = os.urandom(32)
    alice = PskInitiator(
        psk=psk, identity=b"sip:alice@example.com", peer_identity=b"sip:bob@example.com"
    )
    bob = PskResponder(psk=psk, identity=b"sip:bob@example.com")
    streams = [
        CryptoSessionSpec(policy=AES_CM_128_HMAC_SHA1_80, ssrc=AUDIO_SSRC),
        CryptoSessionSpec(policy=AEAD_AES_128_GCM, ssrc=VIDEO_SSRC, roc=2),
    ]
    message, _ = alice.initiate(streams, now=NOW, verify=True)
    decoded = decode_message(message)
    kinds = ", ".join(p.payload_type.label for p in decoded.payloads)
    console.print(f"  Alice → Bob  I_MESSAGE: HDR, {escape(kinds)} — {len(message)} bytes")
    console.print(
        f"  [dim]a=key-mgmt:mikey {base64.b64encode(message).decode()}[/dim]", soft_wrap=True
    )
    result = bob.receive(message, now=NOW)
    if not result.accepted or result.reply is None or result.bundle is None:
        raise SystemExit(f"the exchange failed: {result.error}")
    answer = decode_message(result.reply)
    kinds = ", ".join(p.payload_type.label for p in answer.payloads)
    console.print(f"  Bob → Alice  R_MESSAGE: HDR, {escape(kinds)} — {len(result.reply)} bytes")
    alice_bundle = alice.receive_response(result.reply)
    table = Table("CS", "policy", "SSRC", "ROC", "SRTP master key", box=None)
    for cs in alice_bundle.crypto_sessions:
        key, salt = alice_bundle.srtp_master_key(cs.cs_id)
        same = (key, salt) == result.bundle.srtp_master_key(cs.cs_id)
        table.add_row(
            str(cs.cs_id),
            cs.policy.name,
            f"{cs.ssrc:#010x}",
            str(cs.roc),
            f"{key[:4].hex()}… {'[green]Alice = Bob[/green]' if same else '[red]DIFFERENT[/red]'}",
        )
    console.print(table)
    console.print(
        f"  CSB {alice_bundle.csb_id:#010x}: the KEMAC (AES-CM-128, HMAC-SHA-1) carried a"
        " TGK; each side derived per-stream TEK and salt from it (RFC 3830 §4.1.3)."
    )
    return alice, bob, alice_bundle, result.bundle


def _media(console: Console, alice: CryptoSessionBundle, bob: CryptoSessionBundle) -> None:
    for cs_id, ssrc, name in ((1, AUDIO_SSRC, "audio"), (2, VIDEO_SSRC, "video")):
        sender = alice.srtp_session(cs_id, direction="outbound")
        receiver = bob.srtp_session(cs_id, direction="inbound")
        recovered = 0
        for seq in range(100):
            packet = _rtp(seq, ssrc, os.urandom(160))
            if receiver.unprotect(sender.protect(packet)) == packet:
                recovered += 1
        report = _rtcp(ssrc)
        rtcp_ok = receiver.unprotect_rtcp(sender.protect_rtcp(report)) == report
        console.print(
            f"  {name}: 100 RTP packets protected by Alice, {recovered} recovered by Bob;"
            f" RTCP {'recovered' if rtcp_ok else '[red]LOST[/red]'}"
        )
        protected = sender.protect(_rtp(100, ssrc, b"hello"))
        tampered = bytearray(protected)
        tampered[14] ^= 1
        for label, packet in (
            ("a tampered packet", bytes(tampered)),
            ("a replayed packet", protected),
        ):
            if label == "a replayed packet":
                receiver.unprotect(protected)
            try:
                receiver.unprotect(packet)
            except MikeyError as exc:
                console.print(f"    {label}: [red]refused by libsrtp[/red] — {escape(str(exc))}")
            else:  # pragma: no cover - the demo would be lying
                raise SystemExit(f"{label} was accepted: this is a bug")


def _rekey(
    console: Console,
    alice: PskInitiator,
    bob: PskResponder,
    bundle: CryptoSessionBundle,
    bob_bundle: CryptoSessionBundle,
) -> None:
    sender = bundle.srtp_session(1, direction="outbound")
    receiver = bob_bundle.srtp_session(1, direction="inbound")
    for seq in (65534, 65535, 0):
        receiver.unprotect(sender.protect(_rtp(seq, AUDIO_SSRC, b"before")))
    console.print(
        f"  audio crossed sequence number 65535 → 0: ROC is now {receiver.roc(AUDIO_SSRC)}"
    )
    later = NOW + timedelta(seconds=1)
    update, new_bundle = alice.update(bundle, now=later, rocs={1: sender.roc(AUDIO_SSRC)})
    result = bob.receive(update, now=later)
    if result.bundle is None:
        raise SystemExit(f"the update failed: {result.error}")
    new_bundle.rekey_srtp_session(sender, 1)
    result.bundle.rekey_srtp_session(receiver, 1)
    packet = _rtp(1, AUDIO_SSRC, b"after")
    ok = receiver.unprotect(sender.protect(packet)) == packet
    console.print(
        f"  update message ({len(update)} bytes, same CSB, no RAND, new TGK): generation"
        f" {result.bundle.generation}; the next packet {'decrypts' if ok else '[red]FAILS[/red]'}"
        f" under the new key with ROC {receiver.roc(AUDIO_SSRC)} (RFC 3711 §3.3.1)"
    )


def _refusals(console: Console) -> None:
    psk = os.urandom(32)
    bob = PskResponder(psk=psk)
    cases = []
    wrong, _ = PskInitiator(psk=b"not the key").initiate(now=NOW, verify=True)
    cases.append(("a wrong pre-shared key", wrong, NOW))
    alice = PskInitiator(psk=psk)
    good, _ = alice.initiate(now=NOW)
    bob.receive(good, now=NOW)
    cases.append(("the same I_MESSAGE again", good, NOW))
    weak, _ = alice.initiate([CryptoSessionSpec(policy=NULL_HMAC_SHA1_80)], now=NOW, verify=True)
    cases.append(("a policy without encryption", weak, NOW))
    stale, _ = alice.initiate(now=NOW - timedelta(hours=2), verify=True)
    cases.append(("a timestamp two hours old", stale, NOW))
    for label, message, when in cases:
        result = bob.receive(message, now=when)
        error = result.error
        assert error is not None, label
        if result.reply is None:
            answer = "dropped without an answer"
        else:
            errors = decode_message(result.reply)
            numbers = ", ".join(label_of(int(n), ErrorNo) for n in _error_numbers(result.reply))
            answer = f"answered with an error message ({numbers}, {len(errors.encode())} bytes)"
        console.print(f"  {label}: [red]refused[/red], {answer} — {escape(str(error))}")


def _sdes(console: Console) -> None:
    offers = [
        sdes.generate("AEAD_AES_256_GCM", tag=1),
        sdes.generate("AES_CM_128_HMAC_SHA1_80", tag=2, mki_length=4),
    ]
    for offer in offers:
        console.print(
            f"  Alice offers  [dim]a={escape(offer.to_attribute())}[/dim]", soft_wrap=True
        )
    # Bob accepts only AES-CM here, so he skips Alice's first choice (RFC 4568 §7.1.2).
    chosen, reply = sdes.answer(offers, accept=["AES_CM_128_HMAC_SHA1_80"])
    console.print(f"  Bob answers   [dim]a={escape(reply.to_attribute())}[/dim]", soft_wrap=True)
    sdes.process_answer(offers, reply.to_attribute())
    ssrc = 0x5DE50001
    sender = sdes.srtp_session(chosen, "outbound", ssrc=ssrc)  # Alice's key, Alice sends
    receiver = sdes.srtp_session(chosen, "inbound", ssrc=ssrc)
    recovered = sum(
        receiver.unprotect(sender.protect(packet)) == packet
        for packet in (_rtp(seq, ssrc, os.urandom(160)) for seq in range(50))
    )
    back_ssrc = 0x5DE50002
    back = sdes.srtp_session(reply, "outbound", ssrc=back_ssrc)  # Bob's key, Bob sends
    packet = _rtp(0, back_ssrc, b"from Bob")
    back_ok = sdes.srtp_session(reply, "inbound", ssrc=back_ssrc).unprotect(back.protect(packet))
    console.print(
        f"  {chosen.policy.name} with a {len(chosen.keys[0].mki_bytes or b'')}-byte MKI: 50"
        f" packets Alice → Bob, {recovered} recovered; Bob → Alice under Bob's own key:"
        f" {'recovered' if back_ok == packet else '[red]LOST[/red]'}"
    )


def _pki(console: Console) -> _Endpoints:
    from mikey import pki

    root = pki.CertificateAuthority.create_root("CN=Example Media Root,O=Example", now=NOW)
    issuing = root.create_intermediate(
        "CN=Example Endpoints CA,O=Example",
        now=NOW,
        crl_urls=("http://pki.example.com/endpoints.crl",),
    )
    console.print(
        f"  root CA   {escape(root.certificate.subject.rfc4514_string())}"
        f" ({pki.key_type_of(root.private_key).value}, path length 1)"
    )
    console.print(
        f"  issuing   {escape(issuing.certificate.subject.rfc4514_string())}"
        f" ({pki.key_type_of(issuing.private_key).value})"
    )
    alice = issuing.issue(pki.ENDPOINT, now=NOW, subject="CN=alice", sans=["sip:alice@example.com"])
    bob = issuing.issue(pki.ENDPOINT, now=NOW, subject="CN=bob", sans=["sip:bob@example.com"])
    for name, issued in (("alice", alice), ("bob", bob)):
        cert = issued.certificate
        key = pki.key_type_of(cert.public_key()).value
        console.print(
            f"  endpoint  {name}: serial {cert.serial_number:x}"[:40] + f"…, {key},"
            f" valid to {cert.not_valid_after_utc:%Y-%m-%d}, profile endpoint"
        )
    revoked = pki.Revocation(
        serial_number=bob.certificate.serial_number,
        revoked_at=NOW + timedelta(minutes=1),
        reason=x509.ReasonFlags.key_compromise,
    )
    later = NOW + timedelta(minutes=2)
    crls = [
        pki.build_crl(root, [], now=later, number=1),
        pki.build_crl(issuing, [revoked], now=later, number=1),
    ]
    console.print("  bob's key is compromised: revoked, CRL number 1 of the issuing CA")
    for name, issued in (("alice", alice), ("bob", bob)):
        try:
            pki.validate(
                issued.certificate,
                [issuing.certificate],
                roots=[root.certificate],
                now=later,
                crls=crls,
            )
        except pki.ValidationError as exc:
            console.print(f"  validate {name}: [red]refused[/red] — {escape(str(exc))}")
        else:
            console.print(
                f"  validate {name}: [green]valid[/green] (chain to the root, not revoked)"
            )
    trust = pki.TrustStore(roots=(root.certificate,), crls=tuple(crls))
    return _Endpoints(alice, bob, issuing.certificate, trust, later)


@dataclass(frozen=True, slots=True)
class _Endpoints:
    """What the PKI step made for the public-key exchange."""

    alice: IssuedCertificate
    bob: IssuedCertificate
    issuing: x509.Certificate
    trust: TrustStore
    now: datetime


def _pke(console: Console, endpoints: _Endpoints) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from mikey.modes import PkeInitiator, PkeResponder

    alice, bob = endpoints.alice, endpoints.bob
    assert isinstance(alice.private_key, rsa.RSAPrivateKey)
    assert isinstance(bob.private_key, rsa.RSAPrivateKey)
    now = endpoints.now
    initiator = PkeInitiator(
        private_key=alice.private_key,
        certificates=(alice.certificate, endpoints.issuing),
        peer_certificate=bob.certificate,
        identity=b"sip:alice@example.com",
        peer_identity=b"sip:bob@example.com",
    )
    responder = PkeResponder(
        private_key=bob.private_key,
        certificate=bob.certificate,
        trust=endpoints.trust,
        identity=b"sip:bob@example.com",
    )
    started = time.perf_counter()
    message, _ = initiator.initiate(
        [CryptoSessionSpec(policy=AES_CM_128_HMAC_SHA1_80, ssrc=AUDIO_SSRC)], now=now, verify=True
    )
    kinds = ", ".join(p.payload_type.label for p in decode_message(message).payloads)
    console.print(f"  Alice → Bob  I_MESSAGE: HDR, {escape(kinds)} — {len(message)} bytes")
    console.print(
        "  (the envelope key is RSA-encrypted to Bob's certificate; SIGN is Alice's; CERT"
        " carries her chain)"
    )
    result = responder.receive(message, now=now)
    if not result.accepted or result.reply is None or result.bundle is None:
        raise SystemExit(f"the PKE exchange failed: {result.error}")
    console.print(
        "  Bob validates Alice's chain (path, validity, revocation), checks SIGN, opens"
        " the envelope, checks the KEMAC MAC"
    )
    bundle = initiator.receive_response(result.reply)
    elapsed = (time.perf_counter() - started) * 1e3
    same = bundle.srtp_master_key(1) == result.bundle.srtp_master_key(1)
    verdict = "[green]Alice = Bob[/green]" if same else "[red]DIFFERENT[/red]"
    console.print(
        f"  Bob → Alice  R_MESSAGE (V) — SRTP keys {verdict}, whole exchange {elapsed:.1f} ms"
    )
    sender = bundle.srtp_session(1, direction="outbound")
    receiver = result.bundle.srtp_session(1, direction="inbound")
    recovered = sum(
        receiver.unprotect(sender.protect(packet)) == packet
        for packet in (_rtp(seq, AUDIO_SSRC, os.urandom(160)) for seq in range(50))
    )
    console.print(f"  SRTP: 50 packets Alice → Bob over PKE keys, {recovered} recovered")
    # Bob's certificate was revoked in the step before: as an Initiator he is refused.
    mallory = PkeInitiator(
        private_key=bob.private_key,
        certificates=(bob.certificate, endpoints.issuing),
        peer_certificate=alice.certificate,
        identity=b"sip:bob@example.com",
    )
    alice_side = PkeResponder(
        private_key=alice.private_key, certificate=alice.certificate, trust=endpoints.trust
    )
    refused = alice_side.receive(mallory.initiate(now=now)[0], now=now)
    answer = label_of(_error_numbers(refused.reply or b"")[0], ErrorNo)
    console.print(
        f"  Bob (revoked) → Alice: [red]refused[/red], {answer} — {escape(str(refused.error))}"
    )


def _error_numbers(reply: bytes) -> list[int]:
    from mikey.wire.basic import ErrorPayload

    return [int(p.error_no) for p in decode_message(reply).get_all(ErrorPayload)]


def main() -> None:
    console = Console(highlight=False, emoji=False)
    started = time.perf_counter()
    console.print(
        Panel.fit(
            "[bold]mikey[/bold] — MIKEY key management for secure real-time media\n"
            "This demo keys SRTP with MIKEY and shows the wire format (RFC 3830 and extensions).",
        )
    )

    _step(console, 1, "Alice and Bob run a pre-shared-key MIKEY exchange (RFC 3830 §3.1)")
    alice, bob, alice_bundle, bob_bundle = _exchange(console)

    _step(console, 2, "The keys drive libsrtp: Alice sends, Bob recovers (RFC 3711)")
    _media(console, alice_bundle, bob_bundle)

    _step(console, 3, "Rekeying: a new TGK under the same CSB, the ROC carries on (RFC 3830 §4.5)")
    _rekey(console, alice, bob, alice_bundle, bob_bundle)

    _step(console, 4, "What a Responder refuses, and how it answers (RFC 3830 §5.3, §5.4)")
    _refusals(console)

    _step(console, 5, "The simple alternative: SDES keys in SDP (RFC 4568)")
    _sdes(console)

    _step(console, 6, "The PKI behind the public-key modes: a CA, endpoints, a revocation")
    endpoints = _pki(console)

    _step(console, 7, "Public-key MIKEY with those certificates (RFC 3830 §3.2, PKE)")
    _pke(console, endpoints)

    _step(console, 8, "The wire format: a pre-shared key I_MESSAGE keying two SRTP streams")
    data = _show(console, psk_message(crypto_sessions=2))
    line = f"a=key-mgmt:mikey {base64.b64encode(data).decode()}"
    console.print("  In SDP (RFC 4567 §3.1) it travels as one attribute line:")
    console.print(f"  [dim]{line}[/dim]", soft_wrap=True)

    _step(console, 9, "A public-key I_MESSAGE with a certificate (RFC 3830 §3.2)")
    console.print(f"  (certificate: a {len(sample_certificate())}-byte DER X.509 made with pyca)")
    _show(console, sample_message(DataType.PUBLIC_KEY), tree=False)

    _step(console, 10, "One message of every data type the IANA registry defines")
    table = Table("data type", "payloads after HDR", "bytes", "round trip", box=None)
    for data_type in DataType:
        message = sample_message(data_type)
        encoded = message.encode()
        same = decode_message(encoded) == message
        table.add_row(
            f"{int(data_type)} {data_type.label}",
            ", ".join(p.payload_type.label for p in message.payloads),
            str(len(encoded)),
            "[green]identical[/green]" if same else "[red]DIFFERENT[/red]",
        )
    console.print(table)

    _step(console, 11, "A MIKEY-SAKKE message (RFC 6509), as 3GPP mission-critical calls use")
    _show(console, sample_message(DataType.SAKKE_MSG))

    _step(console, 12, "Damaged input is refused with the payload and byte offset at fault")
    damaged = bytearray(data)
    damaged[29] = 0x07  # the T payload's TS type: 7 is not a registered timestamp type
    for label, candidate in (("a flipped byte", bytes(damaged)), ("truncation", data[:-5])):
        try:
            decode_message(candidate)
        except MikeyParseError as exc:
            console.print(f"  {label}: [red]refused[/red] — {escape(str(exc))}")
        else:  # pragma: no cover - the demo would be lying
            raise SystemExit(f"{label} was accepted: this is a bug")

    console.print()
    console.print(
        f"[bold green]Done[/bold green] in {time.perf_counter() - started:.1f} s. "
        "Decode your own messages with [bold]mikey decode[/bold] "
        "(raw, base64, hex, SDP or RTSP KeyMgmt; --json)."
    )


if __name__ == "__main__":
    main()
