"""``python -m bench``: codec throughput as ratios to the bare crypto primitives.

See the package docstring (``bench/__init__.py``) for what is measured and why those
primitives. Options: ``--quick`` for a short run, ``--json PATH`` for where the results go
(default ``bench/results.json``), ``--profile CASE`` for a cProfile breakdown of one case
instead of timings.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hmac import digest as stdlib_hmac_digest
from itertools import repeat
from pathlib import Path
from typing import Any

import cryptography
from cryptography import x509
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.x509.oid import NameOID

from bench.exchange import bundle_memory, make_exchange, make_primitives
from bench.pki import make_validation
from bench.pkmodes import hold_sessions, make_mode_exchanges, session_memory
from mikey.wire.message import Message, decode_message
from mikey.wire.samples import psk_message, public_key_message

TARGET_PSK_DECODES_PER_S = 50_000
TARGET_EXCHANGES_PER_S = 5_000
TARGET_EXCHANGE_RATIO = 4.0
TARGET_BUNDLE_BYTES = 2048
TARGET_VALIDATION_RATIO = 1.5
TARGET_PK_RATIO = 1.25
TARGET_PKE_SECONDS = 0.010
TARGET_SESSION_BYTES = 4096
PK_MODES = {"pke": "PKE", "rsa_r": "RSA-R", "dh_sign": "DH-SIGN", "dhhmac": "DHHMAC"}
DEFAULT_JSON = Path(__file__).with_name("results.json")
PROFILE_TOP = 15


@dataclass(frozen=True, slots=True)
class Settings:
    reps: int  # timed batches per case
    batch_s: float  # target duration of one batch
    warmup_s: float  # untimed running before calibration


FULL = Settings(reps=7, batch_s=0.2, warmup_s=0.2)
QUICK = Settings(reps=3, batch_s=0.02, warmup_s=0.02)


@dataclass(frozen=True, slots=True)
class Case:
    key: str
    label: str
    fn: Callable[[], object]
    size: int  # bytes processed per call
    kind: str  # "codec", "primitive" or "reference"


@dataclass(frozen=True, slots=True)
class Timing:
    case: Case
    batch: int
    runs_ns: tuple[int, ...]  # duration of each timed batch

    @property
    def best_ns(self) -> float:
        return min(self.runs_ns) / self.batch

    @property
    def median_ns(self) -> float:
        return statistics.median(self.runs_ns) / self.batch


@dataclass(frozen=True, slots=True)
class Comparison:
    codec: str
    primitive: str
    phrase: str  # "one HMAC-SHA-1 over the message"


COMPARISONS = (
    Comparison("psk_decode", "hmac_sha1", "one HMAC-SHA-1 over the message"),
    Comparison("psk_decode", "aes_ctr", "one AES-128-CTR decryption of the KEMAC"),
    Comparison("psk_encode", "hmac_sha1", "one HMAC-SHA-1 over the message"),
    Comparison("pk_decode", "rsa_verify", "one RSA-2048 PKCS#1 v1.5 verification"),
    Comparison("pk_encode", "rsa_verify", "one RSA-2048 PKCS#1 v1.5 verification"),
    Comparison("psk_exchange", "psk_exchange_primitives", "its crypto primitives alone"),
    Comparison("pki_validate", "pki_signatures", "its four signature verifications"),
    *(
        Comparison(f"{key}_exchange", f"{key}_floor", "its public-key operations alone")
        for key in PK_MODES
    ),
)

# A Responder's unavoidable work per message: the codec plus these primitives.
RESPONDER_PATHS = (
    ("PSK I_MESSAGE", "psk_decode", ("hmac_sha1", "aes_ctr"), "MAC check + KEMAC decryption"),
    ("PK I_MESSAGE", "pk_decode", ("rsa_verify",), "SIGN check (chain validation not counted)"),
)


# --- inputs ---------------------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_chain() -> tuple[list[bytes], rsa.RSAPrivateKey]:
    """A leaf certificate signed by an intermediate CA signed by a root, all RSA-2048 with
    SHA-256 signatures. Returns ``[leaf, intermediate]`` as DER (what an Initiator sends;
    the root is the Responder's trust anchor) and the leaf's private key."""
    root_key, inter_key, leaf_key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    root, inter, leaf = _name("MIKEY Bench Root CA"), _name("MIKEY Bench CA 1"), _name("alice")

    def build(
        subject: x509.Name,
        issuer: x509.Name,
        key: rsa.RSAPublicKey,
        issuer_key: rsa.RSAPrivateKey,
        *,
        serial: int,
        ca: bool,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key)
            .serial_number(serial)
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=365 * (5 if ca else 1)))
            .add_extension(
                x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True
            )
            .add_extension(
                x509.KeyUsage(
                    digital_signature=not ca,
                    content_commitment=False,
                    key_encipherment=not ca,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=ca,
                    crl_sign=ca,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [x509.UniformResourceIdentifier("sip:alice@example.com")]
                ),
                critical=False,
            )
        return builder.sign(issuer_key, hashes.SHA256())

    inter_cert = build(inter, root, inter_key.public_key(), root_key, serial=2, ca=True)
    leaf_cert = build(leaf, inter, leaf_key.public_key(), inter_key, serial=3, ca=False)
    der = serialization.Encoding.DER
    return [leaf_cert.public_bytes(der), inter_cert.public_bytes(der)], leaf_key


def make_cases() -> tuple[list[Case], dict[str, int]]:
    """The functions to time, each checked once so the figures measure working code."""
    psk = psk_message(crypto_sessions=2)
    psk_data = psk.encode()
    chain, leaf_key = make_chain()
    pk = public_key_message(chain)
    pk_data = pk.encode()
    for data in (psk_data, pk_data):
        decoded = decode_message(data)
        if Message(header=decoded.header, payloads=decoded.payloads).encode() != data:
            raise SystemExit("bench: a sample message does not round-trip; fix the codec first")

    # HMAC-SHA-1 over what the KEMAC MAC covers (RFC 3830 §5.2): a 160-bit auth key.
    mac_key, mac_input = bytes(range(20)), psk.authenticated_bytes()
    sha1 = hashes.SHA1()

    def hmac_sha1() -> bytes:
        h = hmac.HMAC(mac_key, sha1)
        h.update(mac_input)
        return h.finalize()

    def hmac_sha1_stdlib() -> bytes:
        return stdlib_hmac_digest(mac_key, mac_input, "sha1")

    # AES-CM-128 (AES-128-CTR) decryption of the KEMAC's 36-byte Encr data.
    aes_key, iv, ciphertext = bytes(16), bytes(range(16)), bytes(range(0x60, 0x60 + 36))

    def aes_ctr() -> bytes:
        decryptor = Cipher(algorithms.AES(aes_key), modes.CTR(iv)).decryptor()
        return decryptor.update(ciphertext) + decryptor.finalize()

    # RSA PKCS#1 v1.5 over what SIGN covers, with the key from the leaf certificate.
    signed = pk.authenticated_bytes()
    pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()
    signature = leaf_key.sign(signed, pkcs1, sha256)
    leaf_public = x509.load_der_x509_certificate(chain[0]).public_key()
    if not isinstance(leaf_public, rsa.RSAPublicKey):
        raise SystemExit("bench: the leaf certificate should carry an RSA key")

    def rsa_verify() -> None:
        leaf_public.verify(signature, signed, pkcs1, sha256)

    rsa_verify()  # raises InvalidSignature if the setup is wrong
    if len(hmac_sha1()) != 20 or hmac_sha1() != hmac_sha1_stdlib() or len(aes_ctr()) != 36:
        raise SystemExit("bench: a primitive does not produce what it should")

    psk_header, psk_payloads = psk.header, psk.payloads
    pk_header, pk_payloads = pk.header, pk.payloads

    def psk_decode() -> Message:
        return decode_message(psk_data)

    def psk_encode() -> bytes:
        return Message(header=psk_header, payloads=psk_payloads).encode()

    def pk_decode() -> Message:
        return decode_message(pk_data)

    def pk_encode() -> bytes:
        return Message(header=pk_header, payloads=pk_payloads).encode()

    def nothing() -> None:
        return None

    exchange, psk_size = make_exchange()
    exchange_primitives = make_primitives(psk_size)
    validation, signatures = make_validation()
    pk_cases = make_mode_exchanges()

    cases = [
        Case("psk_decode", "PSK I_MESSAGE decode", psk_decode, len(psk_data), "codec"),
        Case("psk_encode", "PSK I_MESSAGE encode", psk_encode, len(psk_data), "codec"),
        Case("pk_decode", "PK I_MESSAGE decode", pk_decode, len(pk_data), "codec"),
        Case("pk_encode", "PK I_MESSAGE encode", pk_encode, len(pk_data), "codec"),
        Case("hmac_sha1", "HMAC-SHA-1 over PSK msg", hmac_sha1, len(mac_input), "primitive"),
        Case("aes_ctr", "AES-128-CTR, 36 bytes", aes_ctr, len(ciphertext), "primitive"),
        Case("rsa_verify", "RSA-2048 verify PK msg", rsa_verify, len(signed), "primitive"),
        Case(
            "hmac_sha1_stdlib",
            "HMAC-SHA-1, stdlib hmac",
            hmac_sha1_stdlib,
            len(mac_input),
            "reference",
        ),
        Case("empty_call", "empty call (harness)", nothing, 0, "reference"),
        Case("psk_exchange", "PSK exchange + 2 SRTP", exchange, psk_size, "exchange"),
        Case(
            "psk_exchange_primitives",
            "its primitives alone",
            exchange_primitives,
            psk_size,
            "exchange",
        ),
        Case("pki_validate", "validate 3-cert chain+CRLs", validation, 0, "pki"),
        Case("pki_signatures", "its 4 signature checks", signatures, 0, "pki"),
    ]
    for key, name in PK_MODES.items():
        exchange_fn, floor_fn = pk_cases[key]
        cases.append(Case(f"{key}_exchange", f"{name} exchange + 2 SRTP", exchange_fn, 0, key))
        cases.append(Case(f"{key}_floor", "its public-key operations", floor_fn, 0, key))
    sizes = {"psk_message": len(psk_data), "pk_message": len(pk_data)}
    sizes |= {"certificate_leaf": len(chain[0]), "certificate_intermediate": len(chain[1])}
    return cases, sizes


# --- timing ---------------------------------------------------------------------------


def _run(fn: Callable[[], object], n: int) -> int:
    """Nanoseconds for ``n`` calls of ``fn``."""
    calls = repeat(None, n)
    start = time.perf_counter_ns()
    for _ in calls:
        fn()
    return time.perf_counter_ns() - start


def calibrate(fn: Callable[[], object], settings: Settings) -> int:
    """Warm ``fn`` up, then find how many calls make one batch of ``settings.batch_s``."""
    deadline = time.perf_counter() + settings.warmup_s
    while time.perf_counter() < deadline:
        fn()
    target_ns = settings.batch_s * 1e9
    n = 1
    while True:
        elapsed = _run(fn, n)
        if elapsed >= target_ns / 10:
            return max(1, round(n * target_ns / elapsed))
        n *= 10 if elapsed < target_ns / 100 else 2


def measure(cases: Sequence[Case], settings: Settings, progress: bool) -> list[Timing]:
    """Time every case ``settings.reps`` times, round-robin, so that a slow spell of the
    machine (frequency scaling, a noisy neighbour) spreads over all cases, not one."""
    batches = [calibrate(case.fn, settings) for case in cases]
    runs: list[list[int]] = [[] for _ in cases]
    for rep in range(settings.reps):
        if progress:
            print(f"  repetition {rep + 1}/{settings.reps}", file=sys.stderr, flush=True)
        for case, batch, case_runs in zip(cases, batches, runs, strict=True):
            case_runs.append(_run(case.fn, batch))
    return [
        Timing(case, batch, tuple(r)) for case, batch, r in zip(cases, batches, runs, strict=True)
    ]


# --- reporting ------------------------------------------------------------------------


def cpu_model() -> str | None:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Hardware", "cpu model", "Model"):
            return value.strip()
    return None


def pin_to_one_cpu() -> int | None:
    """Run on one CPU (the last one allowed), where the OS supports it."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    try:
        cpu = max(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
    except OSError:
        return None
    return cpu


def machine_info(pinned: int | None) -> dict[str, Any]:
    from cryptography.hazmat.backends.openssl.backend import backend

    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "pinned_cpu": pinned,
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "cryptography": cryptography.__version__,
        "openssl": backend.openssl_version_text(),
    }


def _us(ns: float) -> str:
    us = ns / 1000
    return f"{us:.3f}" if us < 10 else f"{us:.1f}"


def _ratio(codec: Timing, primitive: Timing) -> tuple[float, float]:
    return codec.median_ns / primitive.median_ns, codec.best_ns / primitive.best_ns


def report(
    timings: Sequence[Timing],
    sizes: dict[str, int],
    settings: Settings,
    quick: bool,
    machine: dict[str, Any],
    *,
    memory: dict[str, Any],
    sessions: dict[str, Any],
) -> dict[str, Any]:
    """Print the table and return the JSON document."""
    by_key = {t.case.key: t for t in timings}
    print(f"mikey bench{' (--quick)' if quick else ''}")
    print(
        f"  {machine['cpu_model'] or machine['machine']}, pinned to CPU {machine['pinned_cpu']}"
        f" | Python {machine['python']} | cryptography {machine['cryptography']}"
        f" | {machine['openssl']}"
    )
    print(
        f"  {settings.reps} repetitions of ~{settings.batch_s:g} s batches per case"
        f" (perf_counter_ns, round-robin); gc enabled"
    )
    print(
        f"  PSK I_MESSAGE {sizes['psk_message']} bytes;"
        f" PK I_MESSAGE {sizes['pk_message']} bytes (certificates"
        f" {sizes['certificate_leaf']} + {sizes['certificate_intermediate']} bytes)"
    )
    print()
    header = f"{'':26} {'bytes':>6} {'per s (median)':>15} {'µs best':>9} {'µs median':>10}"
    print(header)
    print("-" * len(header))
    kind = None
    for t in timings:
        if t.case.kind != kind and kind is not None:
            print()
        kind = t.case.kind
        print(
            f"{t.case.label:26} {t.case.size:>6} {1e9 / t.median_ns:>15,.0f}"
            f" {_us(t.best_ns):>9} {_us(t.median_ns):>10}"
        )
    print()

    ratios = []
    for c in COMPARISONS:
        median, best = _ratio(by_key[c.codec], by_key[c.primitive])
        label = by_key[c.codec].case.label
        text = f"{label} costs {median:.2f}x {c.phrase} (median; best/best {best:.2f}x)"
        print(text)
        ratios.append(
            {"codec": c.codec, "primitive": c.primitive, "median": median, "best": best}
            | {"text": text}
        )
    print()
    shares = []
    for name, codec, primitives, what in RESPONDER_PATHS:
        codec_ns = by_key[codec].median_ns
        total_ns = codec_ns + sum(by_key[p].median_ns for p in primitives)
        share = codec_ns / total_ns
        print(
            f"{name}, Responder: decode + {what} = {_us(total_ns)} µs;"
            f" the codec is {share:.0%} of it"
        )
        shares.append({"path": name, "total_ns": total_ns, "codec_share": share})

    exchanges = 1e9 / by_key["psk_exchange"].median_ns
    exchange_ratio, _ = _ratio(by_key["psk_exchange"], by_key["psk_exchange_primitives"])
    print()
    print(
        f"target: ≥ {TARGET_EXCHANGES_PER_S:,} PSK exchanges/s on one core, within"
        f" {TARGET_EXCHANGE_RATIO:g}x of the primitive floor"
    )
    print(
        f"  measured {exchanges:,.0f}/s, {exchange_ratio:.2f}x:"
        f" {'MET' if exchanges >= TARGET_EXCHANGES_PER_S else 'NOT MET'} /"
        f" {'MET' if exchange_ratio <= TARGET_EXCHANGE_RATIO else 'NOT MET'}"
    )
    print(
        f"  memory: {memory['bytes_per_bundle']:,.0f} bytes per established bundle"
        f" ({memory['bytes_per_bundle_with_replay_entry']:,.0f} with its replay-cache entry;"
        f" tracemalloc over {memory['bundles']:,} bundles):"
        f" {'MET' if memory['bytes_per_bundle'] <= TARGET_BUNDLE_BYTES else 'NOT MET'}"
        f" (≤ {TARGET_BUNDLE_BYTES:,})"
    )

    validation_ratio, _ = _ratio(by_key["pki_validate"], by_key["pki_signatures"])
    print()
    print(
        f"target: chain validation with revocation within {TARGET_VALIDATION_RATIO:g}x of its"
        f" signature verifications: measured {validation_ratio:.2f}x,"
        f" {'MET' if validation_ratio <= TARGET_VALIDATION_RATIO else 'NOT MET'}"
    )

    print()
    print(
        f"target: each public-key mode within {TARGET_PK_RATIO:g}x of its public-key"
        f" operations; a PKE exchange (RSA-2048, two-certificate chain validated in full)"
        f" under {TARGET_PKE_SECONDS * 1e3:g} ms"
    )
    pk_modes = {}
    for key, name in PK_MODES.items():
        seconds = by_key[f"{key}_exchange"].median_ns / 1e9
        ratio, _ = _ratio(by_key[f"{key}_exchange"], by_key[f"{key}_floor"])
        pk_modes[key] = {"seconds_median": seconds, "ratio_to_floor_median": ratio}
        print(
            f"  {name:8} {seconds * 1e3:6.2f} ms, {ratio:.2f}x:"
            f" {'MET' if ratio <= TARGET_PK_RATIO else 'NOT MET'}"
        )
    pke_s = pk_modes["pke"]["seconds_median"]
    verdict = "MET" if pke_s < TARGET_PKE_SECONDS else "NOT MET"
    print(f"  PKE under {TARGET_PKE_SECONDS * 1e3:g} ms: {verdict}")
    print(
        f"  memory: {sessions['bytes_per_session']:,.0f} bytes per established PKE session"
        f" (bundle and replay-cache entry; tracemalloc over {sessions['sessions']:,}):"
        f" {'MET' if sessions['bytes_per_session'] <= TARGET_SESSION_BYTES else 'NOT MET'}"
        f" (≤ {TARGET_SESSION_BYTES:,}; 100,000 sessions ≈"
        f" {sessions['bytes_per_session'] * 100_000 / 2**20:,.0f} MiB)"
    )

    decodes = 1e9 / by_key["psk_decode"].median_ns
    met = decodes >= TARGET_PSK_DECODES_PER_S
    print()
    print(f"target: ≥ {TARGET_PSK_DECODES_PER_S:,} PSK decodes/s on one core")
    print(
        f"  measured {decodes:,.0f}/s (median): {'MET' if met else 'NOT MET'}"
        f"{'' if met else f' (needs {TARGET_PSK_DECODES_PER_S / decodes:.2f}x faster)'}"
        " — informational, the exit code is 0 either way"
    )

    return {
        "schema": 1,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine,
        "method": {
            "clock": "time.perf_counter_ns",
            "repetitions": settings.reps,
            "batch_seconds": settings.batch_s,
            "warmup_seconds": settings.warmup_s,
            "order": "round-robin over cases",
            "gc": "enabled",
        },
        "sizes": sizes,
        "results": {
            t.case.key: {
                "label": t.case.label,
                "kind": t.case.kind,
                "bytes": t.case.size,
                "batch": t.batch,
                "best_ns": t.best_ns,
                "median_ns": t.median_ns,
                "per_second_best": 1e9 / t.best_ns,
                "per_second_median": 1e9 / t.median_ns,
                "runs_ns": list(t.runs_ns),
            }
            for t in timings
        },
        "ratios": ratios,
        "responder": shares,
        "target": {
            "text": f"≥ {TARGET_PSK_DECODES_PER_S:,} PSK decodes/s on one core",
            "psk_decodes_per_second": TARGET_PSK_DECODES_PER_S,
            "measured_median": decodes,
            "met": met,
        },
        "public_key_modes": {
            "modes": pk_modes,
            "target_ratio": TARGET_PK_RATIO,
            "pke_target_seconds": TARGET_PKE_SECONDS,
            "memory": sessions,
            "target_bytes_per_session": TARGET_SESSION_BYTES,
        },
        "pki_validation": {
            "ratio_to_signatures_median": validation_ratio,
            "target_ratio": TARGET_VALIDATION_RATIO,
        },
        "exchange": {
            "per_second_median": exchanges,
            "ratio_to_primitives_median": exchange_ratio,
            "target_per_second": TARGET_EXCHANGES_PER_S,
            "target_ratio": TARGET_EXCHANGE_RATIO,
            "memory": memory,
            "target_bytes_per_bundle": TARGET_BUNDLE_BYTES,
        },
    }


def profile(case: Case, seconds: float) -> None:
    """Print the functions that dominate ``case``: top ``PROFILE_TOP`` by own time."""
    n = max(1, round(seconds * 1e9 / max(1, _run(case.fn, 100)) * 100))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in repeat(None, n):
        case.fn()
    profiler.disable()
    print(f"cProfile of {case.label}, {n:,} calls (profiling inflates Python-level costs):")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats(pstats.SortKey.TIME).print_stats(PROFILE_TOP)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (rough figures)")
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        metavar="PATH",
        help="where to write the results (default: bench/results.json)",
    )
    parser.add_argument(
        "--profile",
        metavar="CASE",
        choices=(
            "psk_decode",
            "psk_encode",
            "pk_decode",
            "pk_encode",
            "psk_exchange",
            *(f"{key}_exchange" for key in PK_MODES),
        ),
        help="instead of timing, print a cProfile breakdown of one codec case",
    )
    parser.add_argument(
        "--hold",
        type=int,
        metavar="N",
        help="instead of timing, establish N PKE sessions at one Responder and report memory",
    )
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL

    pinned = pin_to_one_cpu()
    if args.hold:
        held = hold_sessions(args.hold)
        print(
            f"{held['sessions']:,} PKE sessions held by one Responder in {held['seconds']:.0f} s:"
            f" peak RSS +{held['peak_rss_growth_bytes'] / 2**20:,.0f} MiB,"
            f" {held['bytes_per_session']:,.0f} bytes per session"
        )
        return 0
    cases, sizes = make_cases()
    if args.profile:
        profile(next(c for c in cases if c.key == args.profile), 0.5 if args.quick else 2.0)
        return 0

    gc.collect()
    timings = measure(cases, settings, progress=sys.stderr.isatty())
    memory = bundle_memory(20_000 if args.quick else 100_000)
    sessions = session_memory(500 if args.quick else 2_000)
    document = report(
        timings, sizes, settings, args.quick, machine_info(pinned), memory=memory, sessions=sessions
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
