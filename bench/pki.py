"""Path validation with revocation against the signature verifications it needs.

``pki_validate``: ``mikey.pki.validate`` of a three-certificate chain (ECDSA P-384 root,
P-256 issuing CA, RSA-2048 endpoint leaf) with revocation checked against the root's and
the issuing CA's CRLs, already fetched (a cached CRL), hard-fail.

Its floor, ``pki_signatures``: the four signature verifications that validation cannot
avoid, called directly with pyca: the leaf's and the issuing CA's certificate signatures
and the two CRLs' signatures (RFC 5280 §6.1.3 (a)(1), §6.3.3 (f)).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from mikey.pki import ENDPOINT, CertificateAuthority, build_crl, validate

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def make_validation() -> tuple[Callable[[], object], Callable[[], object]]:
    """The validation and its signature floor, each checked once."""
    root = CertificateAuthority.create_root("CN=Bench Root", now=NOW)
    issuing = root.create_intermediate("CN=Bench Issuing", now=NOW)
    leaf = issuing.issue(ENDPOINT, now=NOW, subject="CN=bench").certificate
    crls = [build_crl(root, [], now=NOW, number=1), build_crl(issuing, [], now=NOW, number=1)]
    later = NOW + timedelta(hours=1)
    intermediates, roots = [issuing.certificate], [root.certificate]

    def validation() -> object:
        return validate(leaf, intermediates, roots=roots, now=later, crls=crls)

    root_crl, issuing_crl = crls

    def signatures() -> object:
        leaf.verify_directly_issued_by(issuing.certificate)
        issuing.certificate.verify_directly_issued_by(root.certificate)
        ok = root_crl.is_signature_valid(root.certificate.public_key())  # type: ignore[arg-type]
        ok &= issuing_crl.is_signature_valid(issuing.certificate.public_key())  # type: ignore[arg-type]
        if not ok:
            raise SystemExit("bench: a CRL signature does not verify")
        return ok

    signatures()
    if len(validate(leaf, intermediates, roots=roots, now=later, crls=crls).certificates) != 3:
        raise SystemExit("bench: the chain did not validate")
    return validation, signatures
