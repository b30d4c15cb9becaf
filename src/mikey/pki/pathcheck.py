"""Certification path building and validation for the chains pyca/cryptography's verifier
refuses: those with an Ed25519 key or an Ed25519 signature anywhere (RFC 8410 §3 and §4
put Ed25519 in X.509; pyca's verifier keeps to the CA/Browser Forum's algorithm list).

RFC 5280 §6.1, over pyca's primitives: each signature is checked by
``Certificate.verify_directly_issued_by``, each extension is read by pyca's parser; no
cryptography or ASN.1 is written here. What it does:

- path building (RFC 4158 in spirit): from the leaf through candidate intermediates to a
  certificate in ``roots``, issuer name to subject name, candidates whose subject key
  identifier matches the authority key identifier first (RFC 5280 §4.2.1.1-2), trust
  anchors before intermediates; a certificate at most once per path, at most
  ``MAX_INTERMEDIATES`` intermediates, a budget of signature checks and search steps,
  and the next candidate when a path fails;
- for each path, §6.1.3-§6.1.5: the signature on each certificate by its issuer's key
  (§6.1.3 (a)(1)), validity times (§6.1.3 (a)(2)), issuers are CAs with a critical
  basicConstraints, cA TRUE (§4.2.1.9, §6.1.4 (k)) and keyCertSign (§4.2.1.3,
  §6.1.4 (n)), pathLenConstraint (§6.1.4 (l)(m)), name constraints (§4.2.1.10, §6.1.3
  (b)(c), §6.1.4 (g)) on DNS names, e-mail addresses, URI hosts, IP address ranges and
  directory names, over the subject name and the subject alternative names of every
  certificate below the constraining CA (self-issued intermediates exempt), and no
  critical extension left unprocessed (§6.1.4 (o), §6.1.5 (f)).

The trust anchor is a certificate in ``roots``; like pyca's verifier (and RFC 5937), its
own basic constraints, key usage, path length, name constraints and validity are
enforced, its self-signature is not checked (RFC 5280 §6.1.1 (d) takes the anchor as
given). Certificate policies (§6.1.3 (d)-(f), §6.1.4 (a)(b)(h)-(j)) are not processed,
as in pyca's verifier: the policy extensions are unknown here, so a critical one refuses
the path. Signatures must be Ed25519 or use SHA-256 or stronger, issuer keys must be
Ed25519, ECDSA on P-256/P-384/P-521 or RSA of 2048 bits or more: pyca's list plus
Ed25519.

``validation.validate`` calls this module only for chains pyca refuses; every other chain
goes through pyca's verifier. Refusals are ``validation.ValidationError`` with the reasons
that path uses.
"""

from __future__ import annotations

import contextlib
import ipaddress
import urllib.parse
from collections.abc import Iterator, Sequence
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import (
    ExtensionOID,
    NameOID,
    PublicKeyAlgorithmOID,
    SignatureAlgorithmOID,
)

from mikey.errors import MikeyValueError
from mikey.pki.validation import ValidationError, ValidationReason, _check_times, _name

__all__ = ["MAX_INTERMEDIATES", "build_path", "uses_ed25519"]

MAX_INTERMEDIATES = 8
"""The most intermediates a path may have: pyca's verifier's default depth."""

# Bounds on the search, so a pile of cross-certified look-alikes cannot keep us busy:
# pyca, Go and rustls-webpki allow about 100 signature checks per path building.
_SIGNATURE_BUDGET = 128
_STEP_BUDGET = 1024

Chain = tuple[x509.Certificate, ...]

# The extensions whose meaning path validation knows; any other one marked critical
# refuses the certificate (RFC 5280 §6.1.4 (o), §6.1.5 (f)).
_PROCESSED_EXTENSIONS = frozenset(
    {
        ExtensionOID.BASIC_CONSTRAINTS,  # §6.1.4 (k)(l)(m)
        ExtensionOID.KEY_USAGE,  # §6.1.4 (n); the leaf's is the caller's profile
        ExtensionOID.NAME_CONSTRAINTS,  # §6.1.4 (g)
        ExtensionOID.SUBJECT_ALTERNATIVE_NAME,  # §6.1.3 (b)(c)
        ExtensionOID.EXTENDED_KEY_USAGE,  # validation.validate checks the leaf's
        ExtensionOID.SUBJECT_KEY_IDENTIFIER,  # path building hints, §4.2.1.1-2
        ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
    }
)

_STRONG_HASHES = (hashes.SHA256, hashes.SHA384, hashes.SHA512)
_CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1"})
_MIN_RSA_BITS = 2048


def uses_ed25519(certificate: x509.Certificate) -> bool:
    """Whether ``certificate`` has an Ed25519 key or an Ed25519 signature (RFC 8410),
    which pyca's verifier refuses."""
    return (
        certificate.public_key_algorithm_oid == PublicKeyAlgorithmOID.ED25519
        or certificate.signature_algorithm_oid == SignatureAlgorithmOID.ED25519
    )


def build_path(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate] = (),
    *,
    roots: Sequence[x509.Certificate],
    now: datetime,
) -> Chain:
    """A valid certification path from ``leaf`` to one of ``roots`` at ``now``, with
    ``intermediates`` as candidates: leaf first, trust anchor last (RFC 5280 §6.1).
    Revocation and the leaf's extended key usage are the caller's (``validate``).

    :raises ValidationError: UNTRUSTED when no path reaches a root (unknown issuer, bad
        signature), else the reason the most likely path failed: EXPIRED, NOT_YET_VALID,
        PATH_LENGTH, NAME_CONSTRAINTS, WRONG_USAGE (a CA without keyCertSign) or INVALID.
    :raises MikeyValueError: for no roots or a naive ``now``.
    """
    if now.tzinfo is None:
        raise MikeyValueError("the clock needs an aware datetime, such as datetime.now(UTC)")
    if not roots:
        raise MikeyValueError("path building needs at least one trusted root")
    search = _Search(roots=roots, intermediates=intermediates)
    first_failure: ValidationError | None = None
    for path in search.paths(leaf):
        try:
            _check_path(path, now)
        except ValidationError as exc:
            # The search yields the likeliest paths first: report the first one's fault.
            first_failure = first_failure or exc
            continue
        return path
    raise first_failure or search.failure(leaf)


# -- path building -----------------------------------------------------------------------


class _Search:
    """Depth-first search for paths whose every signature verifies."""

    def __init__(
        self, *, roots: Sequence[x509.Certificate], intermediates: Sequence[x509.Certificate]
    ) -> None:
        self._roots = frozenset(roots)
        # Trusted roots first; each certificate once, however often it was given.
        self._candidates = tuple(dict.fromkeys((*roots, *intermediates)))
        self._signatures_left = _SIGNATURE_BUDGET
        self._steps_left = _STEP_BUDGET
        self._links: dict[tuple[x509.Certificate, x509.Certificate], bool] = {}
        self._dead_end: ValidationError | None = None
        self._gave_up = False

    def paths(self, leaf: x509.Certificate) -> Iterator[Chain]:
        """Candidate paths from ``leaf`` to a root, leaf first, likeliest first."""
        return self._extend((leaf,))

    def failure(self, leaf: x509.Certificate) -> ValidationError:
        """Why no path reached a root."""
        if self._dead_end is not None and not self._gave_up:
            return self._dead_end
        budget = " within the search's budget" if self._gave_up else ""
        return ValidationError(
            ValidationReason.UNTRUSTED,
            f"no path from {_name(leaf)} to a trusted root{budget} ({_SIGNATURE_BUDGET}"
            f" signature checks, {_STEP_BUDGET} steps)",
            certificate=leaf,
        )

    def _extend(self, path: Chain) -> Iterator[Chain]:
        working = path[-1]
        if working in self._roots:
            yield path
            return
        if self._steps_left == 0:
            self._gave_up = True
            return
        self._steps_left -= 1
        if len(path) - 1 > MAX_INTERMEDIATES:
            self._stuck(
                ValidationReason.UNTRUSTED,
                f"no trusted root within {MAX_INTERMEDIATES} intermediates above {_name(path[0])}",
                path[0],
            )
            return
        candidates = self._issuers_of(working, path)
        if not candidates:
            self._stuck(
                ValidationReason.UNTRUSTED,
                f"the issuer of {_name(working)}, {working.issuer.rfc4514_string()}, is"
                " neither a trusted root nor among the intermediates",
                working,
            )
        for candidate in candidates:
            if self._signed_by(working, candidate):
                yield from self._extend((*path, candidate))

    def _issuers_of(self, certificate: x509.Certificate, path: Chain) -> list[x509.Certificate]:
        # By key identifier: a match first, no identifier to compare next, a mismatch
        # last, trusted roots ahead within each (as Go and pyca order them). A mismatch
        # is no refusal: the signature decides.
        wanted = _authority_key_id(certificate)

        def likeliness(candidate: x509.Certificate) -> int:
            have = _subject_key_id(candidate)
            if wanted is None or have is None:
                return 1
            return 0 if wanted == have else 2

        named = [
            c
            for c in self._candidates
            if c.subject == certificate.issuer and c not in path  # no loops
        ]
        return sorted(named, key=likeliness)  # stable: roots stay ahead within a bucket

    def _signed_by(self, certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
        link = (certificate, issuer)
        if link in self._links:
            return self._links[link]
        if self._signatures_left == 0:
            self._gave_up = True
            return False
        self._signatures_left -= 1
        self._links[link] = verified = self._verify_link(certificate, issuer)
        return verified

    def _verify_link(self, certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
        problem = _algorithm_problem(certificate, issuer)
        if problem is not None:
            self._stuck(ValidationReason.INVALID, problem, certificate)
            return False
        try:
            certificate.verify_directly_issued_by(issuer)
        except InvalidSignature:
            self._stuck(
                ValidationReason.UNTRUSTED,
                f"the signature on {_name(certificate)} does not verify with the key of"
                f" {_name(issuer)}",
                certificate,
            )
            return False
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:  # malformed or exotic
            self._stuck(
                ValidationReason.INVALID,
                f"cannot check the signature on {_name(certificate)}: {exc}",
                certificate,
            )
            return False
        return True

    def _stuck(self, reason: ValidationReason, message: str, certificate: x509.Certificate) -> None:
        # The first dead end is on the likeliest route: that is the one worth reporting.
        if self._dead_end is None:
            self._dead_end = ValidationError(reason, message, certificate=certificate)


def _authority_key_id(certificate: x509.Certificate) -> bytes | None:
    with contextlib.suppress(x509.ExtensionNotFound, ValueError):  # a hint only
        aki = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
        return aki.value.key_identifier
    return None


def _subject_key_id(certificate: x509.Certificate) -> bytes | None:
    with contextlib.suppress(x509.ExtensionNotFound, ValueError):
        return certificate.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier
        ).value.digest
    return None


def _algorithm_problem(certificate: x509.Certificate, issuer: x509.Certificate) -> str | None:
    """Why the signature on ``certificate`` by ``issuer`` is not acceptable, or None."""
    try:
        digest = certificate.signature_hash_algorithm
        key = issuer.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        return f"cannot check the signature on {_name(certificate)}: {exc}"
    ed25519_signature = certificate.signature_algorithm_oid == SignatureAlgorithmOID.ED25519
    if not ed25519_signature and not isinstance(digest, _STRONG_HASHES):
        used = digest.name if digest is not None else certificate.signature_algorithm_oid
        return (
            f"{_name(certificate)} is signed with {used}; Ed25519 or SHA-256 or stronger is needed"
        )
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < _MIN_RSA_BITS:
            return f"{_name(issuer)} has a {key.key_size}-bit RSA key, too short to trust"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in _CURVES:
            return f"{_name(issuer)} has a key on {key.curve.name}, not P-256, P-384 or P-521"
    elif not isinstance(key, ed25519.Ed25519PublicKey):
        return f"{_name(issuer)} has a {type(key).__name__}, not an RSA, ECDSA or Ed25519 key"
    return None


# -- path validation: RFC 5280 §6.1.3-§6.1.5 ---------------------------------------------


def _self_issued(certificate: x509.Certificate) -> bool:
    """RFC 5280 §6.1: the same name as subject and issuer (a root, or a CA re-keying)."""
    return certificate.subject == certificate.issuer


def _check_path(path: Chain, now: datetime) -> None:
    """RFC 5280 §6.1 over one path whose signatures verify, anchor first, as §6.1.3 walks
    it; raises the first fault."""
    _check_times(path, now)
    anchor_position = len(path) - 1
    max_path_length: int | None = None  # §6.1.2 (k); None: no pathLenConstraint yet
    limiter: x509.Certificate | None = None  # the CA that set max_path_length
    constraints: list[tuple[x509.Certificate, x509.NameConstraints]] = []  # §6.1.2 (b)(c)
    for position in range(anchor_position, -1, -1):
        certificate = path[position]
        _check_version(certificate)
        extensions = _extensions(certificate)
        is_leaf = position == 0
        if is_leaf or not _self_issued(certificate):  # §6.1.3 (b)(c), §4.2.1.10
            _check_names(certificate, extensions, constraints)
        _check_critical(certificate, extensions)
        if is_leaf:
            return
        constraint = _check_ca(certificate, extensions)
        if position != anchor_position and not _self_issued(certificate):  # §6.1.4 (l)
            if max_path_length == 0:
                assert limiter is not None
                raise ValidationError(
                    ValidationReason.PATH_LENGTH,
                    f"{_name(certificate)} is one CA too many below {_name(limiter)}"
                    " (pathLenConstraint, RFC 5280 §4.2.1.9, §6.1.4 (l))",
                    certificate=certificate,
                )
            if max_path_length is not None:
                max_path_length -= 1
        if constraint.path_length is not None and (  # §6.1.4 (m)
            max_path_length is None or constraint.path_length < max_path_length
        ):
            max_path_length, limiter = constraint.path_length, certificate
        with contextlib.suppress(x509.ExtensionNotFound):  # §6.1.4 (g)
            names = extensions.get_extension_for_class(x509.NameConstraints).value
            constraints.append((certificate, names))


def _extensions(certificate: x509.Certificate) -> x509.Extensions:
    try:
        return certificate.extensions
    except ValueError as exc:  # duplicate or malformed extensions
        raise ValidationError(
            ValidationReason.INVALID,
            f"{_name(certificate)} has unreadable extensions: {exc}",
            certificate=certificate,
        ) from None


def _check_version(certificate: x509.Certificate) -> None:
    # A v1 certificate has no extensions, so a v1 CA cannot be told from an end entity
    # (§6.1.4 (k)); pyca's verifier refuses v1 throughout, and so do we.
    if certificate.version is not x509.Version.v3:
        raise ValidationError(
            ValidationReason.INVALID,
            f"{_name(certificate)} is an X.509 {certificate.version.name} certificate, not v3",
            certificate=certificate,
        )


def _check_critical(certificate: x509.Certificate, extensions: x509.Extensions) -> None:
    unknown = [
        e.oid.dotted_string for e in extensions if e.critical and e.oid not in _PROCESSED_EXTENSIONS
    ]
    if unknown:
        raise ValidationError(
            ValidationReason.INVALID,
            f"{_name(certificate)} has critical extensions path validation does not"
            f" process: {', '.join(unknown)} (RFC 5280 §6.1.4 (o), §6.1.5 (f))",
            certificate=certificate,
        )


def _check_ca(certificate: x509.Certificate, extensions: x509.Extensions) -> x509.BasicConstraints:
    """RFC 5280 §6.1.4 (k)(n): an issuer is a CA, says so in a critical basicConstraints
    (§4.2.1.9; the web PKI rule pyca applies too) and may sign certificates."""
    try:
        constraints = extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.value.ca:
        raise ValidationError(
            ValidationReason.INVALID,
            f"{_name(certificate)} issues certificates but is not a CA (basicConstraints"
            " cA, RFC 5280 §4.2.1.9, §6.1.4 (k))",
            certificate=certificate,
        )
    if not constraints.critical:
        raise ValidationError(
            ValidationReason.INVALID,
            f"{_name(certificate)} has a non-critical basicConstraints; a CA must mark it"
            " critical (RFC 5280 §4.2.1.9)",
            certificate=certificate,
        )
    try:
        usage = extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None  # §4.2.1.3: a CA MUST include it; its absence is no licence
    if usage is None or not usage.key_cert_sign:
        raise ValidationError(
            ValidationReason.WRONG_USAGE,
            f"{_name(certificate)} may not sign certificates (keyUsage keyCertSign,"
            " RFC 5280 §4.2.1.3, §6.1.4 (n))",
            certificate=certificate,
        )
    return constraints.value


# -- name constraints: RFC 5280 §4.2.1.10 -----------------------------------------------


def _check_names(
    certificate: x509.Certificate,
    extensions: x509.Extensions,
    constraints: Sequence[tuple[x509.Certificate, x509.NameConstraints]],
) -> None:
    if not constraints:
        return
    names: list[x509.GeneralName] = []
    if certificate.subject.rdns:
        names.append(x509.DirectoryName(certificate.subject))
    # §4.2.1.10 applies rfc822Name constraints to emailAddress attributes of the subject
    # when there is no SAN; we apply them always (as OpenSSL does): fail closed.
    for attribute in certificate.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS):
        names.append(x509.RFC822Name(str(attribute.value)))
    with contextlib.suppress(x509.ExtensionNotFound):
        names.extend(extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    for constrainer, subtrees in constraints:
        for name in names:
            violation = _violation(name, subtrees)
            if violation is not None:
                raise ValidationError(
                    ValidationReason.NAME_CONSTRAINTS,
                    f"{_name(certificate)}: {_describe(name)} {violation} of"
                    f" {_name(constrainer)} (RFC 5280 §4.2.1.10)",
                    certificate=certificate,
                )


def _violation(name: x509.GeneralName, constraints: x509.NameConstraints) -> str | None:
    """How ``name`` breaks ``constraints``, or None. Subtrees of another name form do
    not apply to it; a name that cannot be compared counts against it (§4.2.1.10:
    process the constraint or reject)."""
    permitted = [s for s in constraints.permitted_subtrees or () if type(s) is type(name)]
    if permitted:
        verdicts = [_within(name, subtree, excluded=False) for subtree in permitted]
        if True not in verdicts:
            if None in verdicts:
                return "cannot be checked against the permitted subtrees"
            return "is outside the permitted subtrees"
    for subtree in constraints.excluded_subtrees or ():
        if type(subtree) is not type(name):
            continue
        verdict = _within(name, subtree, excluded=True)
        if verdict is None:
            return f"cannot be checked against the excluded subtree {_describe(subtree)}"
        if verdict:
            return f"is in the excluded subtree {_describe(subtree)}"
    return None


def _within(name: x509.GeneralName, subtree: x509.GeneralName, *, excluded: bool) -> bool | None:
    """Whether ``name`` is in ``subtree`` (same form); None when that cannot be told.
    For an excluded subtree a wildcard DNS name counts when any name it stands for is in it."""
    if isinstance(name, x509.DNSName) and isinstance(subtree, x509.DNSName):
        return _dns_within(name.value, subtree.value, overlap=excluded)
    if isinstance(name, x509.RFC822Name) and isinstance(subtree, x509.RFC822Name):
        return _mailbox_within(name.value, subtree.value)
    if isinstance(name, x509.UniformResourceIdentifier) and isinstance(
        subtree, x509.UniformResourceIdentifier
    ):
        host = _uri_host(name.value)
        return None if host is None else _host_within(host, subtree.value)
    if isinstance(name, x509.IPAddress) and isinstance(subtree, x509.IPAddress):
        return _address_within(name.value, subtree.value)
    if isinstance(name, x509.DirectoryName) and isinstance(subtree, x509.DirectoryName):
        # §4.2.1.10: a DN is in the subtree when it begins with the constraint's RDNs.
        prefix = subtree.value.rdns
        return name.value.rdns[: len(prefix)] == prefix
    return None  # otherName, registeredID …: forms this module cannot compare


def _dns_within(name: str, base: str, *, overlap: bool) -> bool:
    """§4.2.1.10: ``base`` and any name made by adding labels on its left; a base with a
    leading dot only the latter (as OpenSSL and Go read it). A wildcard ``*.x`` stands for
    any one label before ``x``: it is within ``base`` when all those names are (the test on
    the literal text answers that, as no base has a ``*`` label), and, with ``overlap``
    (excluded subtrees), also when one of them is."""
    name, base = name.lower().rstrip("."), base.lower().rstrip(".")
    if not base:
        return True
    inside = (
        name.endswith(base) if base.startswith(".") else (name == base or name.endswith("." + base))
    )
    if inside or not overlap or not name.startswith("*."):
        return inside
    # A wildcard meets a base one label longer than its own parent: *.a.b covers x.a.b.
    return not base.startswith(".") and base.partition(".")[2] == name[2:]


def _host_within(host: str, base: str) -> bool:
    """§4.2.1.10 for URI hosts and mail domains: a host names itself only; a domain with a
    leading dot names every host below it."""
    host, base = host.lower().rstrip("."), base.lower().rstrip(".")
    return host.endswith(base) if base.startswith(".") else host == base


def _mailbox_within(address: str, base: str) -> bool | None:
    """§4.2.1.10: a whole mailbox, every mailbox on a host, or on the hosts in a domain."""
    local, at, host = address.rpartition("@")
    if not at or not local:
        return None
    if "@" in base:
        base_local, _, base_host = base.rpartition("@")
        return local == base_local and host.lower() == base_host.lower()  # local part is exact
    return _host_within(host, base)


def _uri_host(uri: str) -> str | None:
    """The host part of a URI (§4.2.1.10 constrains only that), or None if it has none.
    SIP URIs (RFC 3261 §19.1.1) keep theirs after the user part, with no ``//``."""
    parts = urllib.parse.urlsplit(uri)
    if not parts.netloc and parts.scheme.lower() in {"sip", "sips"}:
        address = parts.path.split(";", 1)[0]
        parts = urllib.parse.urlsplit(f"//{address}")
    try:
        return parts.hostname or None
    except ValueError:  # a malformed authority
        return None


_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address_within(address: object, network: object) -> bool | None:
    # A SAN holds one address, a constraint an address range (§4.2.1.10: address and mask).
    if isinstance(address, ipaddress.IPv4Address) and isinstance(network, ipaddress.IPv4Network):
        return address in network
    if isinstance(address, ipaddress.IPv6Address) and isinstance(network, ipaddress.IPv6Network):
        return address in network
    if isinstance(address, _Address) and isinstance(network, _Network):
        return False  # the other IP version: never inside
    return None


def _describe(name: x509.GeneralName) -> str:
    if isinstance(name, x509.DirectoryName):
        return f"directory name {name.value.rfc4514_string()!r}"
    kinds = {
        x509.DNSName: "DNS name",
        x509.RFC822Name: "e-mail address",
        x509.UniformResourceIdentifier: "URI",
        x509.IPAddress: "IP address",
    }
    return f"{kinds.get(type(name), type(name).__name__)} {name.value!s}"
