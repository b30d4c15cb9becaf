"""Diffie-Hellman over the OAKLEY groups of MIKEY's DH and DH-HMAC methods.

RFC 3830 §3.3 (each side sends g^x for a secret random x; both compute the TGK
g^(xi*xr)), §4.2.7 (OAKLEY 5 mandatory, OAKLEY 1 and 2 optional), §6.4 (the DH-Group
values, and a DH-value as long as the group's prime); RFC 4650 §3 (DH-HMAC: the same
groups and the same TGK, authenticated by a MAC instead of signatures).

The groups (prime p, generator 2, q = (p-1)/2 also prime), with the text each prime was
copied from; ``tests/crypto/test_dh.py`` checks each against a SHA-256 of that text,
rebuilds it from its defining formula with the digits of pi, and tests p and q for
primality:

* OAKLEY 1, 768 bits: RFC 2409 §6.1, "First Oakley Default Group", copied from RFC 7296
  Appendix B.1, which restates it as IKE group 1;
* OAKLEY 2, 1024 bits: RFC 2409 §6.2, "Second Oakley Group", from RFC 7296 Appendix B.2;
* OAKLEY 5, 1536 bits: RFC 3526 §2, "1536-bit MODP Group" (numbered 5 by IKE use).

Which groups a side accepts is policy, and the modes' (``mikey.modes.dh``: OAKLEY 5
unless configured): 768- and 1024-bit groups are within reach of precomputation (the
Logjam paper, CCS 2015, estimated 1024-bit for a state budget, naming the Oakley group 2
prime), so they are for peers that offer nothing else.

Bytes. Public values and the shared secret are big-endian and left-padded with zeros to
the length of p: §6.4 gives the DH-value length by group alone, and RFC 8446 §4.2.8.1
pads the same way. The TGK g^(xi*xr) is the padded secret, leading zero bytes kept; one
exchange in 256 has one, and dropping it would give two peers different TGKs.

Validation. A peer's value must have the group's length and satisfy 1 < y < p-1 (RFC
8446 §4.2.8.1: this "ensures that the remote peer ... isn't forcing the local system into
a small subgroup"); anything else is Invalid DH. The full check y^q = 1 (mod p) is not
made: p is a safe prime, so the only small subgroups are {1} and {1, p-1}, which the
range check excludes; a y outside the order-q subgroup can make the secret reveal at
most the lowest bit of an exponent that is fresh for each exchange (RFC 3830 §3.3: "xi
MUST be randomly/pseudo-randomly and secretly chosen") and never reused; and the check
would cost a second full exponentiation per exchange.

Exponents. By default the backend draws x: OpenSSL takes 200 bits for OAKLEY 5, which
it knows as its named group modp_1536 (RFC 3526 §8 puts the exponent for that group's
90-120-bit strength at 180-240 bits), and p's length less two bits for OAKLEY 1 and 2.
A caller may pass ``rng`` instead (the sans-I/O way to make an exchange reproducible):
x is then 2 + (rng(len(p) + 8) mod (p - 3)), a full-length exponent in [2, p-2] with a
bias below 2^-64.

Backend. All modular arithmetic on secrets is OpenSSL's, through pyca/cryptography's
``dh`` module (constant-time exponentiation). pyca/cryptography 50 deprecated finite-field
DH ("Diffie-Hellman over finite fields (FFDH) is deprecated and support will be removed
in a future release", a ``CryptographyDeprecationWarning`` raised on access to the
module's names, not per operation): ``PycaDhBackend`` reaches those names once, the first
time DH is used, with that one warning filtered, so the project's users never see it
while the deprecation stays visible to anyone who reads pyca's changelog or this note.
Everything else talks to the small ``DhBackend`` protocol, so that if pyca drops FFDH
another well-kept implementation can be put behind it without touching the modes: the
plan is OpenSSL's own EVP_PKEY FFDH through the libcrypto ``mikey.crypto.keywrap``
already loads with ``ctypes`` (the same constant-time code pyca calls today); GMP's
``mpz_powm_sec`` (gmpy2's ``powmod_sec``) would be another. Python's built-in ``pow()``
is not one: its running time depends on the exponent, which here is the secret, so it is
used only by the tests, on fixed test exponents.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Protocol

from mikey.errors import MikeyInvalidDhError, MikeyValueError
from mikey.registry import DhGroup, label_of

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import dh

__all__ = [
    "DEFAULT_DH_BACKEND",
    "DH_GROUPS",
    "DhBackend",
    "DhBackendKey",
    "DhGroupParameters",
    "DhPrivateKey",
    "PycaDhBackend",
    "dh_group_parameters",
    "generate_private_key",
    "group_prime",
    "load_private_key",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class DhGroupParameters:
    """A MODP group: prime ``p`` (a safe prime) and generator ``g`` (RFC 3830 §4.2.7)."""

    group: DhGroup
    p: int
    g: int
    source: str

    @property
    def length(self) -> int:
        """Bytes of a DH-value and of the shared secret (RFC 3830 §6.4)."""
        return (self.p.bit_length() + 7) // 8

    @property
    def q(self) -> int:
        """(p-1)/2, the prime order of the subgroup g generates."""
        return (self.p - 1) // 2

    def decode_value(self, value: bytes) -> int:
        """A peer's DH-value as a number, checked: exactly ``length`` bytes and
        1 < y < p-1 (RFC 3830 §6.4, RFC 8446 §4.2.8.1).

        :raises MikeyInvalidDhError: otherwise.
        """
        name = self.group.label
        if len(value) != self.length:
            raise MikeyInvalidDhError(
                f"{name} DH-value must be {self.length} bytes, got {len(value)}"
            )
        y = int.from_bytes(value)
        if not 1 < y < self.p - 1:
            raise MikeyInvalidDhError(f"{name} DH-value is outside 1 < y < p-1")
        return y

    def encode_value(self, value: int) -> bytes:
        """``value`` as ``length`` big-endian bytes, left-padded with zeros."""
        return value.to_bytes(self.length)


def _hex(text: str) -> int:
    return int("".join(text.split()), 16)


DH_GROUPS: dict[DhGroup | int, DhGroupParameters] = {
    DhGroup.OAKLEY_1: DhGroupParameters(
        group=DhGroup.OAKLEY_1,
        g=2,
        source="RFC 2409 §6.1 (as RFC 7296 Appendix B.1)",
        p=_hex("""
            FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1
            29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
            EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245
            E485B576 625E7EC6 F44C42E9 A63A3620 FFFFFFFF FFFFFFFF
        """),
    ),
    DhGroup.OAKLEY_2: DhGroupParameters(
        group=DhGroup.OAKLEY_2,
        g=2,
        source="RFC 2409 §6.2 (as RFC 7296 Appendix B.2)",
        p=_hex("""
            FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1
            29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
            EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245
            E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
            EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE65381
            FFFFFFFF FFFFFFFF
        """),
    ),
    DhGroup.OAKLEY_5: DhGroupParameters(
        group=DhGroup.OAKLEY_5,
        g=2,
        source="RFC 3526 §2",
        p=_hex("""
            FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1
            29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
            EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245
            E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
            EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE45B3D
            C2007CB8 A163BF05 98DA4836 1C55D39A 69163FA8 FD24CF5F
            83655D23 DCA3AD96 1C62F356 208552BB 9ED52907 7096966D
            670C354E 4ABC9804 F1746C08 CA237327 FFFFFFFF FFFFFFFF
        """),
    ),
}
"""Every DH group of RFC 3830 Table 6.4, by DH-Group value."""


def dh_group_parameters(group: DhGroup | int) -> DhGroupParameters:
    """The parameters of DH-Group ``group``.

    :raises MikeyInvalidDhError: for an unassigned group (Invalid DH, "DH group not
        supported", RFC 3830 §6.12).
    """
    parameters = DH_GROUPS.get(group)
    if parameters is None:
        raise MikeyInvalidDhError(f"DH-Group {label_of(group, DhGroup)} is not supported")
    return parameters


def group_prime(group: DhGroup | int) -> int:
    """p of DH-Group ``group``.

    :raises MikeyInvalidDhError: for an unassigned group.
    """
    return dh_group_parameters(group).p


class DhBackendKey(Protocol):
    """One secret exponent x of a group, held by a backend."""

    def public_value(self) -> int:
        """g^x mod p."""
        ...

    def exchange(self, peer_value: int) -> int:
        """peer_value^x mod p; ``peer_value`` has passed the range check already.

        :raises ValueError: if the backend refuses it.
        """
        ...


class DhBackend(Protocol):
    """A finite-field Diffie-Hellman implementation whose exponentiation with a secret
    exponent does not leak it through timing."""

    def generate(self, parameters: DhGroupParameters) -> DhBackendKey:
        """A fresh private key, x drawn by the backend's own random generator."""
        ...

    def load(self, parameters: DhGroupParameters, x: int) -> DhBackendKey:
        """The private key with exponent ``x`` (1 < x < p-1)."""
        ...


_FFDH_DEPRECATION = "Diffie-Hellman over finite fields"


@cache
def _pyca_dh() -> tuple[
    type[dh.DHParameterNumbers], type[dh.DHPublicNumbers], type[dh.DHPrivateNumbers]
]:
    """pyca's DH number classes, reached once with only the FFDH deprecation warning
    silenced (see the module notes)."""
    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=_FFDH_DEPRECATION, category=CryptographyDeprecationWarning
        )
        try:
            from cryptography.hazmat.primitives.asymmetric import dh

            return dh.DHParameterNumbers, dh.DHPublicNumbers, dh.DHPrivateNumbers
        except (ImportError, AttributeError) as exc:
            raise MikeyInvalidDhError(
                "this pyca/cryptography has no finite-field Diffie-Hellman; a DhBackend"
                f" on another library is needed (mikey.crypto.dh): {exc}"
            ) from None


@dataclass(frozen=True, slots=True)
class _PycaGroup:
    numbers: dh.DHParameterNumbers
    parameters: dh.DHParameters
    generator: dh.DHPublicNumbers  # g as a public value: g^x is an exchange with it
    generator_key: dh.DHPublicKey


@cache
def _pyca_group(group: DhGroup) -> _PycaGroup:
    # Built once per group. OpenSSL checks p and g each time it builds a key from numbers
    # (about 17 ms for OAKLEY 1 and 2, nothing for OAKLEY 5, its named group
    # modp_1536), so what can be built once is kept; the peer's key in each exchange
    # still pays it.
    parameter_numbers, public_numbers, _ = _pyca_dh()
    parameters = DH_GROUPS[group]
    numbers = parameter_numbers(parameters.p, parameters.g)
    generator = public_numbers(parameters.g, numbers)
    return _PycaGroup(numbers, numbers.parameters(), generator, generator.public_key())


@dataclass(frozen=True, slots=True)
class _PycaKey:
    group: DhGroup
    key: dh.DHPrivateKey = field(repr=False)

    def public_value(self) -> int:
        return self.key.public_key().public_numbers().y

    def exchange(self, peer_value: int) -> int:
        _, public_numbers, _ = _pyca_dh()
        peer = public_numbers(peer_value, _pyca_group(self.group).numbers).public_key()
        return int.from_bytes(self.key.exchange(peer))


class PycaDhBackend:
    """FFDH from pyca/cryptography (OpenSSL), the default backend."""

    def generate(self, parameters: DhGroupParameters) -> DhBackendKey:
        key = _pyca_group(parameters.group).parameters.generate_private_key()
        return _PycaKey(parameters.group, key)

    def load(self, parameters: DhGroupParameters, x: int) -> DhBackendKey:
        _, public_numbers, private_numbers = _pyca_dh()
        group = _pyca_group(parameters.group)
        # pyca wants the public value with the private one and does not check that they
        # belong together; OpenSSL computes it (g^x, as an exchange with g as the peer)
        # so that the secret exponent never meets Python's variable-time pow().
        provisional = private_numbers(x, group.generator).private_key()
        y = int.from_bytes(provisional.exchange(group.generator_key))
        key = private_numbers(x, public_numbers(y, group.numbers)).private_key()
        return _PycaKey(parameters.group, key)


DEFAULT_DH_BACKEND: DhBackend = PycaDhBackend()


@dataclass(frozen=True, slots=True, eq=False)
class DhPrivateKey:
    """One side's DH key for one exchange: the secret exponent x (inside the backend,
    never shown) and its public value g^x (RFC 3830 §3.3, §6.4). Use it once."""

    parameters: DhGroupParameters = field(repr=False)
    backend_key: DhBackendKey = field(repr=False)

    @property
    def group(self) -> DhGroup:
        return self.parameters.group

    def __repr__(self) -> str:
        return f"DhPrivateKey(group={self.group.label})"

    def public_value(self) -> bytes:
        """g^x as the DH payload's DH-value: big-endian, as long as p (RFC 3830 §6.4)."""
        return self.parameters.encode_value(self.backend_key.public_value())

    def exchange(self, peer_value: bytes) -> bytes:
        """g^(xi*xr), the TGK (RFC 3830 §3.3, RFC 4650 §3), from the peer's DH-value
        in the same group: big-endian, as long as p, leading zeros kept.

        :raises MikeyInvalidDhError: the peer's value is not as long as p, not
            1 < y < p-1, or refused by the backend (Invalid DH).
        """
        y = self.parameters.decode_value(peer_value)
        try:
            secret = self.backend_key.exchange(y)
        except ValueError:
            raise MikeyInvalidDhError(
                f"the {self.group.label} DH-value was refused by the DH backend"
            ) from None
        return self.parameters.encode_value(secret)


def generate_private_key(
    group: DhGroup | int,
    *,
    rng: Callable[[int], bytes] | None = None,
    backend: DhBackend = DEFAULT_DH_BACKEND,
) -> DhPrivateKey:
    """A fresh DH key of ``group`` for one exchange (RFC 3830 §3.3): x drawn by the
    backend, or from ``rng`` when one is given (see the module notes).

    Which groups to accept from a peer is the caller's policy (``mikey.modes.dh``: OAKLEY
    5 unless configured otherwise); every group of Table 6.4 works here.

    :raises MikeyInvalidDhError: ``group`` is unassigned (Invalid DH), or no backend is
        available.
    """
    parameters = dh_group_parameters(group)
    if rng is None:
        return DhPrivateKey(parameters=parameters, backend_key=backend.generate(parameters))
    draw = int.from_bytes(rng(parameters.length + 8))
    x = 2 + draw % (parameters.p - 3)
    return DhPrivateKey(parameters=parameters, backend_key=backend.load(parameters, x))


def load_private_key(
    group: DhGroup | int, x: int, *, backend: DhBackend = DEFAULT_DH_BACKEND
) -> DhPrivateKey:
    """The DH key of ``group`` with the given secret exponent ``x``: for known-answer
    tests and for callers that keep their own exponents. ``x`` must be secret, random
    and used once (RFC 3830 §3.3).

    :raises MikeyInvalidDhError: ``group`` is unassigned.
    :raises MikeyValueError: ``x`` is not in [2, p-2].
    """
    parameters = dh_group_parameters(group)
    if not 1 < x < parameters.p - 1:
        raise MikeyValueError(f"a {parameters.group.label} exponent must be in [2, p-2]")
    return DhPrivateKey(parameters=parameters, backend_key=backend.load(parameters, x))
