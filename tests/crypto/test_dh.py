"""Diffie-Hellman over the OAKLEY groups (``mikey.crypto.dh``): the group constants
checked three ways (a SHA-256 of the RFC text, the defining formula with the digits of
pi, Miller-Rabin for p and q), agreement both ways, the padding of values with leading
zero bytes, every refused peer value, the known answers of tests/vectors/mikey-dh, the
backend seam, no deprecation warning, and ``openssl pkeyutl -derive`` as a second
implementation. Python's pow() appears only here, on test exponents."""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from cryptography.utils import CryptographyDeprecationWarning

from mikey.crypto import dh
from mikey.crypto.dh import (
    DH_GROUPS,
    DhBackendKey,
    DhGroupParameters,
    dh_group_parameters,
    generate_private_key,
    group_prime,
    load_private_key,
)
from mikey.errors import MikeyInvalidDhError, MikeyValueError
from mikey.registry import DhGroup, ErrorNo

from .openssl_cli import openssl

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "mikey-dh" / "dh.json").read_text()
)

# SHA-256 of each prime's bytes, computed from the hex of the text it was copied from:
# RFC 7296 Appendix B.1 and B.2 (= RFC 2409 §6.1, §6.2; https://rfcinfo.com/rfc-7296/appendix-b)
# and RFC 3526 §2 (rfc3526.txt as kept in github.com/techflic/e2ee-RnD at 3c55cdac).
TEXT_SHA256 = {
    DhGroup.OAKLEY_1: "b52ba6a3026520a6c49d37e4587601801bee500123b3259b6bf03e7cecc3e63d",
    DhGroup.OAKLEY_2: "3f35a3f5f6c4376a744acad409bb22f8d897f949d2311d885adaa890981b67a0",
    DhGroup.OAKLEY_5: "64fcc83ec403930bf18393dbc883ccaa1fbb08ac876f77f7aa99748ca945019b",
}
# p = 2^s - 2^(s-64) - 1 + 2^64 * { [2^(s-130) pi] + offset }: RFC 2409 §6.1, §6.2, RFC 3526 §2.
FORMULA = {
    DhGroup.OAKLEY_1: (768, 149686),
    DhGroup.OAKLEY_2: (1024, 129093),
    DhGroup.OAKLEY_5: (1536, 741804),
}
GROUPS = list(DhGroup)


def pi_times_power_of_two(bits: int) -> int:
    """floor(pi * 2^bits), by Machin's formula pi = 16 atan(1/5) - 4 atan(1/239) in
    integers with 64 guard bits."""
    one = 1 << (bits + 64)

    def atan_inverse(x: int) -> int:
        total = term = one // x
        n, sign = 1, -1
        while term:
            term //= x * x
            total += sign * (term // (2 * n + 1))
            n, sign = n + 1, -sign
        return total

    return (16 * atan_inverse(5) - 4 * atan_inverse(239)) >> 64


def is_probable_prime(n: int) -> bool:
    """Miller-Rabin with the first 16 primes as bases."""
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53):
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def counter_rng(seed: bytes) -> Callable[[int], bytes]:
    return lambda n: hashlib.shake_256(seed).digest(n)


# -- the groups -------------------------------------------------------------------------


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_group_constants_are_the_rfc_primes(group: DhGroup) -> None:
    parameters = DH_GROUPS[group]
    bits, offset = FORMULA[group]
    assert parameters.group is group and parameters.g == 2
    assert parameters.p.bit_length() == bits == 8 * group.value_length == 8 * parameters.length
    assert (
        hashlib.sha256(parameters.p.to_bytes(parameters.length)).hexdigest() == TEXT_SHA256[group]
    )
    derived = 2**bits - 2 ** (bits - 64) - 1 + 2**64 * (pi_times_power_of_two(bits - 130) + offset)
    assert parameters.p == derived
    assert group_prime(group) == parameters.p


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_group_primes_are_safe_and_2_generates_the_prime_order_subgroup(group: DhGroup) -> None:
    parameters = DH_GROUPS[group]
    assert is_probable_prime(parameters.p)
    assert is_probable_prime(parameters.q)
    assert parameters.p == 2 * parameters.q + 1
    assert pow(2, parameters.q, parameters.p) == 1  # 2 is a square mod p (p = 7 mod 8)
    assert not is_probable_prime(parameters.p + 2)  # the test can say no


@pytest.mark.parametrize("group", [3, 4, 255, -1])
def test_unassigned_groups_are_invalid_dh(group: int) -> None:
    with pytest.raises(MikeyInvalidDhError) as caught:
        generate_private_key(group)
    assert caught.value.error_no is ErrorNo.INVALID_DH
    with pytest.raises(MikeyInvalidDhError):
        dh_group_parameters(group)
    assert isinstance(caught.value, ValueError)


def test_groups_are_looked_up_by_number() -> None:
    assert dh_group_parameters(0) is DH_GROUPS[DhGroup.OAKLEY_5]
    assert dh_group_parameters(DhGroup.OAKLEY_2).length == 128


# -- agreement --------------------------------------------------------------------------


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_both_sides_agree(group: DhGroup) -> None:
    initiator, responder = generate_private_key(group), generate_private_key(group)
    dh_i, dh_r = initiator.public_value(), responder.public_value()
    assert len(dh_i) == len(dh_r) == group.value_length
    assert dh_i != dh_r
    tgk = initiator.exchange(dh_r)
    assert tgk == responder.exchange(dh_i)
    assert len(tgk) == group.value_length
    assert initiator.group is group


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_fresh_keys_differ(group: DhGroup) -> None:
    assert generate_private_key(group).public_value() != generate_private_key(group).public_value()


def test_an_rng_makes_the_key_reproducible() -> None:
    rng = counter_rng(b"reproducible")
    first = generate_private_key(DhGroup.OAKLEY_5, rng=rng)
    second = generate_private_key(DhGroup.OAKLEY_5, rng=rng)
    assert first.public_value() == second.public_value()
    other = generate_private_key(DhGroup.OAKLEY_5, rng=counter_rng(b"other"))
    assert other.public_value() != first.public_value()
    assert first.exchange(other.public_value()) == other.exchange(first.public_value())


def test_the_secret_is_padded_when_it_starts_with_a_zero_byte() -> None:
    """Search responder exponents until g^(xi*xr) has a leading zero byte (one in 256)
    and check the TGK keeps it."""
    parameters = DH_GROUPS[DhGroup.OAKLEY_1]
    p, length = parameters.p, parameters.length
    xi = 0x1234567890ABCDEF << 600
    initiator = load_private_key(DhGroup.OAKLEY_1, xi)
    for xr in range(2, 5000):
        secret = pow(pow(2, xr, p), xi, p)
        if secret < 1 << 8 * (length - 1):
            break
    else:
        pytest.fail("no secret with a leading zero byte")
    responder = load_private_key(DhGroup.OAKLEY_1, xr)
    tgk = initiator.exchange(responder.public_value())
    assert tgk[0] == 0 and len(tgk) == length
    assert tgk == secret.to_bytes(length) == responder.exchange(initiator.public_value())


def test_small_public_values_are_padded() -> None:
    key = load_private_key(DhGroup.OAKLEY_5, 2)  # g^2 = 4
    assert key.public_value() == (4).to_bytes(192)


def test_load_private_key_refuses_exponents_out_of_range() -> None:
    p = group_prime(DhGroup.OAKLEY_5)
    for x in (0, 1, p - 1, p):
        with pytest.raises(MikeyValueError):
            load_private_key(DhGroup.OAKLEY_5, x)


def test_repr_shows_no_values() -> None:
    key = load_private_key(DhGroup.OAKLEY_5, 0xC0FFEE)
    assert repr(key) == "DhPrivateKey(group=OAKLEY 5)"
    assert "c0ffee" not in repr(key.backend_key).lower()


# -- refused peer values ----------------------------------------------------------------


def _refused_values(parameters: DhGroupParameters) -> dict[str, bytes]:
    p, length = parameters.p, parameters.length
    return {
        "0": bytes(length),
        "1": (1).to_bytes(length),
        "p-1": (p - 1).to_bytes(length),
        "p": p.to_bytes(length),
        "p+1": (p + 1).to_bytes(length),
        "all ones": b"\xff" * length,
        "empty": b"",
        "one byte short": (2).to_bytes(length - 1),
        "one byte long": (2).to_bytes(length + 1),
        "2, unpadded": b"\x02",
    }


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_invalid_peer_values_are_invalid_dh(group: DhGroup) -> None:
    key = generate_private_key(group)
    for name, value in _refused_values(DH_GROUPS[group]).items():
        with pytest.raises(MikeyInvalidDhError) as caught:
            key.exchange(value)
        assert caught.value.error_no is ErrorNo.INVALID_DH, name


def test_an_element_outside_the_prime_order_subgroup_is_accepted() -> None:
    """p-2 = -2 has order 2q (-1 is not a square mod p, 2 is): in range, so taken; the
    module notes say why no y^q = 1 check is made."""
    parameters = DH_GROUPS[DhGroup.OAKLEY_5]
    p = parameters.p
    assert pow(p - 2, parameters.q, p) == p - 1
    x = 0xABCDEF
    secret = load_private_key(DhGroup.OAKLEY_5, x).exchange((p - 2).to_bytes(192))
    assert secret == pow(p - 2, x, p).to_bytes(192)


class _RefusingKey:
    def public_value(self) -> int:
        return 4

    def exchange(self, peer_value: int) -> int:
        raise ValueError("Error computing shared key.")


def test_a_backend_refusal_is_invalid_dh() -> None:
    key = dh.DhPrivateKey(parameters=DH_GROUPS[DhGroup.OAKLEY_5], backend_key=_RefusingKey())
    with pytest.raises(MikeyInvalidDhError) as caught:
        key.exchange((2).to_bytes(192))
    assert caught.value.error_no is ErrorNo.INVALID_DH


# -- known answers ----------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
def test_vector_file_is_what_it_says(vector: dict[str, Any]) -> None:
    p = DH_GROUPS[vector["dh_group"]].p
    xi, xr = int(vector["xi"], 16), int(vector["xr"], 16)
    dh_i, dh_r = int(vector["dh_i"], 16), int(vector["dh_r"], 16)
    assert pow(2, xi, p) == dh_i and pow(2, xr, p) == dh_r
    assert pow(dh_r, xi, p) == pow(dh_i, xr, p) == int(vector["tgk"], 16)


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
def test_vectors(vector: dict[str, Any]) -> None:
    group = DhGroup(vector["dh_group"])
    initiator = load_private_key(group, int(vector["xi"], 16))
    responder = load_private_key(group, int(vector["xr"], 16))
    assert initiator.public_value().hex() == vector["dh_i"]
    assert responder.public_value().hex() == vector["dh_r"]
    tgk = bytes.fromhex(vector["tgk"])
    assert initiator.exchange(responder.public_value()) == tgk
    assert responder.exchange(initiator.public_value()) == tgk


@pytest.mark.parametrize("vector", VECTORS[::3], ids=lambda v: v["name"])
def test_rng_exponents_follow_the_vector_derivation(vector: dict[str, Any]) -> None:
    """generate_private_key(rng=...) draws x as make_vectors.py does."""
    label = f"mikey-dh {vector['group']} random initiator 0".encode()
    key = generate_private_key(vector["dh_group"], rng=counter_rng(label))
    assert key.public_value().hex() == vector["dh_i"]


# -- the backend seam and the deprecation warning ---------------------------------------


class _PowKey:
    """A backend key on Python's pow(): variable-time, for this test only."""

    def __init__(self, parameters: DhGroupParameters, x: int) -> None:
        self.parameters, self.x = parameters, x

    def public_value(self) -> int:
        return pow(self.parameters.g, self.x, self.parameters.p)

    def exchange(self, peer_value: int) -> int:
        return pow(peer_value, self.x, self.parameters.p)


class _PowBackend:
    def generate(self, parameters: DhGroupParameters) -> DhBackendKey:
        return _PowKey(parameters, 0x5EED)

    def load(self, parameters: DhGroupParameters, x: int) -> DhBackendKey:
        return _PowKey(parameters, x)


def test_another_backend_plugs_in_and_agrees() -> None:
    backend = _PowBackend()
    ours = generate_private_key(DhGroup.OAKLEY_5, backend=backend)
    theirs = generate_private_key(DhGroup.OAKLEY_5)
    assert ours.exchange(theirs.public_value()) == theirs.exchange(ours.public_value())
    rng = counter_rng(b"same exponent")
    assert (
        generate_private_key(DhGroup.OAKLEY_2, rng=rng, backend=backend).public_value()
        == generate_private_key(DhGroup.OAKLEY_2, rng=rng).public_value()
    )


def test_no_ffdh_deprecation_warning_reaches_users() -> None:
    dh._pyca_dh.cache_clear()
    dh._pyca_group.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for group in GROUPS:
            a, b = generate_private_key(group), load_private_key(group, 12345)
            assert a.exchange(b.public_value()) == b.exchange(a.public_value())
    assert [str(w.message) for w in caught] == []


# -- openssl as a second implementation -------------------------------------------------


@contextmanager
def _ignoring_ffdh_deprecation() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield


def _dh_pem(parameters: DhGroupParameters, y: int | None = None) -> bytes:
    """DH parameters (PKCS #3) or, with ``y``, a public key, as PEM for openssl."""
    from cryptography.hazmat.primitives import serialization

    with _ignoring_ffdh_deprecation():
        from cryptography.hazmat.primitives.asymmetric.dh import (
            DHParameterNumbers,
            DHPublicNumbers,
        )

        numbers = DHParameterNumbers(parameters.p, parameters.g)
        if y is None:
            return numbers.parameters().parameter_bytes(
                serialization.Encoding.PEM, serialization.ParameterFormat.PKCS3
            )
        return (
            DHPublicNumbers(y, numbers)
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )


def _public_value(pem: bytes) -> int:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    with _ignoring_ffdh_deprecation():  # pyca warns when it loads a DH key
        key: Any = load_pem_public_key(pem)
        return int(key.public_numbers().y)


@pytest.mark.interop
@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_openssl_derives_the_same_secret(group: DhGroup, tmp_path: Path) -> None:
    parameters = DH_GROUPS[group]
    (tmp_path / "params.pem").write_bytes(_dh_pem(parameters))
    openssl("genpkey", "-paramfile", tmp_path / "params.pem", "-out", tmp_path / "peer.pem")
    y = _public_value(openssl("pkey", "-in", tmp_path / "peer.pem", "-pubout"))

    ours = generate_private_key(group)
    (tmp_path / "ours.pem").write_bytes(_dh_pem(parameters, int.from_bytes(ours.public_value())))
    theirs = openssl(
        "pkeyutl", "-derive", "-inkey", tmp_path / "peer.pem", "-peerkey", tmp_path / "ours.pem"
    )
    tgk = ours.exchange(y.to_bytes(parameters.length))
    assert len(tgk) == parameters.length
    assert int.from_bytes(theirs) == int.from_bytes(tgk)  # openssl may drop a leading zero
