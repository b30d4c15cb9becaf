"""MIKEY SRTP security policies (SP payloads) to and from ``SrtpPolicy``.

RFC 3830 §6.10.1 (parameters 0-12 and their defaults: "if a Type/Value is not set, the
default is used", and the session encryption key length is also the master key length),
RFC 5748 §2 (separate SRTP/SRTCP authentication parameters 14-19), RFC 6188 §7
(AES-256-CM), RFC 7714 §14.3 and §15 (AES-GCM, parameter 20, PRF AES-CM required).

A policy is accepted only if libsrtp runs it exactly as written; anything else raises
``MikeyPolicyParamError`` (Invalid SPpar) or ``MikeyPolicyError`` (Invalid SP) naming the
parameter, so that a Responder answers with the right error number.

``gstreamer_sp`` reads and writes parameter 3 the way GStreamer's ``gstmikey`` does: as
the authentication *tag* length (4 or 10) where RFC 3830 puts the authentication *key*
length (20), with one tag length for SRTP and SRTCP (interop-notes, tests/vectors/thirdparty).
"""

from __future__ import annotations

from functools import lru_cache

from mikey.errors import MikeyPolicyError, MikeyPolicyParamError
from mikey.registry import ProtType, SrtpAuthAlg, SrtpEncrAlg, SrtpParam, SrtpPrf, label_of
from mikey.srtp.policy import SrtpCipher, SrtpPolicy
from mikey.wire.policy import PolicyParam, SecurityPolicyPayload

__all__ = ["security_policy_payload", "srtp_policy_from_sp"]

HMAC_SHA1_KEY_LENGTH = 20  # RFC 3711 §8.2: n_a = 160 bits
_AES_CM_CIPHERS = {16: SrtpCipher.AES_CM_128, 24: SrtpCipher.AES_CM_192, 32: SrtpCipher.AES_CM_256}
_GCM_CIPHERS = {16: SrtpCipher.AES_GCM_128, 32: SrtpCipher.AES_GCM_256}
# Parameters whose only value libsrtp can honour is 0: KDR (libsrtp 2 derives once),
# FEC order FEC-SRTP, SRTP prefix length.
_MUST_BE_ZERO = (SrtpParam.KEY_DERIVATION_RATE, SrtpParam.FEC_ORDER, SrtpParam.SRTP_PREFIX_LENGTH)
_FLAGS = (SrtpParam.SRTP_ENCRYPTION, SrtpParam.SRTCP_ENCRYPTION, SrtpParam.SRTP_AUTHENTICATION)


def _param_name(param_type: int) -> str:
    return f"SP parameter {int(param_type)} ({label_of(param_type, SrtpParam)})"


def _values(sp: SecurityPolicyPayload) -> dict[int, int]:
    values: dict[int, int] = {}
    for param in sp.params:
        if param.type not in SrtpParam._value2member_map_:
            raise MikeyPolicyParamError(f"SP parameter type {param.type} is not registered")
        if param.type in values:
            raise MikeyPolicyParamError(f"{_param_name(param.type)} appears twice")
        if not param.value:
            raise MikeyPolicyParamError(f"{_param_name(param.type)} has an empty value")
        values[param.type] = param.int_value
    return values


def _bad(param_type: int, value: int, why: str) -> MikeyPolicyParamError:
    return MikeyPolicyParamError(f"{_param_name(param_type)} = {value}: {why}")


# Peers send the same few policies over and over: both directions are cached (the
# arguments and results are immutable; refusals raise and are not cached).
@lru_cache(maxsize=512)
def srtp_policy_from_sp(sp: SecurityPolicyPayload, *, gstreamer_sp: bool = False) -> SrtpPolicy:
    """The SRTP protection an SRTP security policy describes, with RFC 3830's defaults
    for absent parameters.

    :raises MikeyPolicyError: for a protocol other than SRTP (Invalid SP).
    :raises MikeyPolicyParamError: for a parameter libsrtp cannot honour (Invalid SPpar).
    """
    if sp.prot_type != ProtType.SRTP:
        raise MikeyPolicyError(
            f"policy {sp.policy_no} is for {label_of(sp.prot_type, ProtType)}, not SRTP"
        )
    v = _values(sp)
    for param_type in _MUST_BE_ZERO:
        if v.get(param_type, 0) != 0:
            raise _bad(param_type, v[param_type], "only 0 is supported (libsrtp)")
    for param_type in _FLAGS:
        if v.get(param_type, 1) not in (0, 1):
            raise _bad(param_type, v[param_type], "must be 0 (off) or 1 (on)")
    if (prf := v.get(SrtpParam.SRTP_PRF, SrtpPrf.AES_CM)) != SrtpPrf.AES_CM:
        raise _bad(SrtpParam.SRTP_PRF, prf, "only the AES-CM PRF is supported")
    if SrtpParam.ROC_TRANSMISSION_RATE in v:
        raise _bad(
            SrtpParam.ROC_TRANSMISSION_RATE,
            v[SrtpParam.ROC_TRANSMISSION_RATE],
            "RFC 4771 ROC transmission is not supported",
        )
    encr_alg = v.get(SrtpParam.ENCRYPTION_ALGORITHM, SrtpEncrAlg.AES_CM)
    if encr_alg == SrtpEncrAlg.AES_GCM:
        return _gcm_policy(v)
    if SrtpParam.AEAD_AUTH_TAG_LENGTH in v:
        raise _bad(
            SrtpParam.AEAD_AUTH_TAG_LENGTH,
            v[SrtpParam.AEAD_AUTH_TAG_LENGTH],
            "an AEAD tag length needs the AES-GCM encryption algorithm",
        )
    key_length = v.get(SrtpParam.SESSION_ENCR_KEY_LENGTH, 16)
    if encr_alg == SrtpEncrAlg.NULL:
        cipher = SrtpCipher.NULL
    elif encr_alg == SrtpEncrAlg.AES_CM:
        if key_length not in _AES_CM_CIPHERS:
            raise _bad(SrtpParam.SESSION_ENCR_KEY_LENGTH, key_length, "AES-CM takes 16, 24 or 32")
        cipher = _AES_CM_CIPHERS[key_length]
    else:
        raise _bad(
            SrtpParam.ENCRYPTION_ALGORITHM,
            encr_alg,
            f"{label_of(encr_alg, SrtpEncrAlg)} is not supported (libsrtp)",
        )
    _check_salt(v, cipher)
    srtp_tag, srtcp_tag = _hmac_tags(v, gstreamer_sp=gstreamer_sp)
    encrypted = cipher is not SrtpCipher.NULL
    srtp_auth = v.get(SrtpParam.SRTP_AUTHENTICATION, 1) == 1
    try:
        return SrtpPolicy(
            cipher=cipher,
            srtp_auth_tag_length=srtp_tag if srtp_auth else 0,
            srtcp_auth_tag_length=srtcp_tag,
            srtp_encryption=encrypted and v.get(SrtpParam.SRTP_ENCRYPTION, 1) == 1,
            srtcp_encryption=encrypted and v.get(SrtpParam.SRTCP_ENCRYPTION, 1) == 1,
            srtp_authentication=srtp_auth,
        )
    except MikeyPolicyParamError as exc:
        raise MikeyPolicyParamError(f"policy {sp.policy_no}: {exc}") from None


def _check_salt(v: dict[int, int], cipher: SrtpCipher) -> None:
    salt = v.get(SrtpParam.SESSION_SALT_KEY_LENGTH, cipher.salt_length)
    if salt != cipher.salt_length:
        raise _bad(
            SrtpParam.SESSION_SALT_KEY_LENGTH,
            salt,
            f"{cipher.label} takes a {cipher.salt_length}-byte master salt",
        )


def _hmac_tags(v: dict[int, int], *, gstreamer_sp: bool) -> tuple[int, int]:
    """The SRTP and SRTCP tag lengths of an HMAC-SHA-1 policy."""
    for param_type in (
        SrtpParam.AUTHENTICATION_ALGORITHM,
        SrtpParam.SRTP_AUTH_ALGORITHM,
        SrtpParam.SRTCP_AUTH_ALGORITHM,
    ):
        if (alg := v.get(param_type, SrtpAuthAlg.HMAC_SHA_1)) != SrtpAuthAlg.HMAC_SHA_1:
            why = (
                "SRTCP must be authenticated (RFC 3711 §3.4): use SRTP authentication off"
                if alg == SrtpAuthAlg.NULL
                else f"{label_of(alg, SrtpAuthAlg)} is not supported (libsrtp)"
            )
            raise _bad(param_type, alg, why)
    tag = v.get(SrtpParam.AUTH_TAG_LENGTH, 10)
    auth_key = v.get(SrtpParam.SESSION_AUTH_KEY_LENGTH, HMAC_SHA1_KEY_LENGTH)
    if gstreamer_sp and SrtpParam.AUTH_TAG_LENGTH not in v:
        tag, auth_key = auth_key, HMAC_SHA1_KEY_LENGTH
    for param_type in (
        SrtpParam.SRTP_SESSION_AUTH_KEY_LENGTH,
        SrtpParam.SRTCP_SESSION_AUTH_KEY_LENGTH,
    ):
        if v.get(param_type, auth_key) != auth_key:
            raise _bad(param_type, v[param_type], "differs from parameter 3")
    if auth_key != HMAC_SHA1_KEY_LENGTH:
        hint = (
            "; GStreamer writes the tag length here: use the 'gstreamer' interop profile"
            if auth_key in (4, 10)
            else ""
        )
        raise _bad(
            SrtpParam.SESSION_AUTH_KEY_LENGTH,
            auth_key,
            f"only 20-byte HMAC-SHA-1 keys are supported{hint}",
        )
    return (
        v.get(SrtpParam.SRTP_AUTH_TAG_LENGTH, tag),
        v.get(SrtpParam.SRTCP_AUTH_TAG_LENGTH, tag),
    )


def _gcm_policy(v: dict[int, int]) -> SrtpPolicy:
    """RFC 7714 §15: AES-GCM's key length and AEAD tag length determine the algorithm."""
    key_length = v.get(SrtpParam.SESSION_ENCR_KEY_LENGTH, 16)
    if key_length not in _GCM_CIPHERS:
        raise _bad(SrtpParam.SESSION_ENCR_KEY_LENGTH, key_length, "AES-GCM takes 16 or 32")
    cipher = _GCM_CIPHERS[key_length]
    _check_salt(v, cipher)
    # "The encryption algorithm, session encryption key length, and AEAD authentication
    # tag sizes received from MIKEY fully determine the AEAD algorithm" (§14.3): the
    # authentication algorithm is not read (3GPP MCX stacks send 4 there).
    for param_type in _FLAGS:
        if v.get(param_type, 1) != 1:
            raise _bad(param_type, v[param_type], "AES-GCM cannot switch protection off")
    tag = v.get(SrtpParam.AEAD_AUTH_TAG_LENGTH, 16)
    try:
        return SrtpPolicy(cipher=cipher, srtp_auth_tag_length=tag, srtcp_auth_tag_length=tag)
    except MikeyPolicyParamError as exc:
        raise _bad(SrtpParam.AEAD_AUTH_TAG_LENGTH, tag, str(exc)) from None


@lru_cache(maxsize=512)
def security_policy_payload(
    policy: SrtpPolicy, policy_no: int = 0, *, gstreamer_sp: bool = False
) -> SecurityPolicyPayload:
    """An SP payload that ``srtp_policy_from_sp`` maps back to ``policy``.

    Every parameter is written out rather than left to defaults, since peers disagree on
    defaults. With ``gstreamer_sp``, the parameters GStreamer writes and reads: parameter
    3 holds the tag length, and SRTP and SRTCP share it.

    :raises MikeyPolicyError: if ``gstreamer_sp`` cannot express ``policy``.
    """
    cipher = policy.cipher
    params: list[tuple[int, int]] = []
    if cipher.is_aead:
        params += [
            (SrtpParam.ENCRYPTION_ALGORITHM, SrtpEncrAlg.AES_GCM),
            (SrtpParam.SESSION_ENCR_KEY_LENGTH, cipher.key_length),
            (SrtpParam.AUTHENTICATION_ALGORITHM, SrtpAuthAlg.NULL),
        ]
        if not gstreamer_sp:
            params += [
                (SrtpParam.SESSION_SALT_KEY_LENGTH, cipher.salt_length),
                (SrtpParam.SRTP_PRF, SrtpPrf.AES_CM),
            ]
        params += [(flag, 1) for flag in _FLAGS]
        if not gstreamer_sp or policy.srtp_auth_tag_length != 16:
            params.append((SrtpParam.AEAD_AUTH_TAG_LENGTH, policy.srtp_auth_tag_length))
    else:
        encr = SrtpEncrAlg.NULL if cipher is SrtpCipher.NULL else SrtpEncrAlg.AES_CM
        params += [
            (SrtpParam.ENCRYPTION_ALGORITHM, encr),
            (SrtpParam.SESSION_ENCR_KEY_LENGTH, cipher.key_length),
            (SrtpParam.AUTHENTICATION_ALGORITHM, SrtpAuthAlg.HMAC_SHA_1),
        ]
        tag = policy.srtp_auth_tag_length or policy.srtcp_auth_tag_length
        if gstreamer_sp:
            if policy.srtp_auth_tag_length != policy.srtcp_auth_tag_length:
                raise MikeyPolicyError(
                    f"GStreamer's SP has one tag length for SRTP and SRTCP; {policy.name} has two"
                )
            params.append((SrtpParam.SESSION_AUTH_KEY_LENGTH, tag))
        else:
            params += [
                (SrtpParam.SESSION_AUTH_KEY_LENGTH, HMAC_SHA1_KEY_LENGTH),
                (SrtpParam.SESSION_SALT_KEY_LENGTH, cipher.salt_length),
                (SrtpParam.SRTP_PRF, SrtpPrf.AES_CM),
                (SrtpParam.KEY_DERIVATION_RATE, 0),
            ]
        params += [
            (SrtpParam.SRTP_ENCRYPTION, int(policy.srtp_encryption)),
            (SrtpParam.SRTCP_ENCRYPTION, int(policy.srtcp_encryption)),
            (SrtpParam.SRTP_AUTHENTICATION, int(policy.srtp_authentication)),
        ]
        if not gstreamer_sp:
            params.append((SrtpParam.AUTH_TAG_LENGTH, tag))
            if policy.srtp_auth_tag_length not in (0, tag) or policy.srtcp_auth_tag_length != tag:
                params += [
                    (SrtpParam.SRTP_AUTH_TAG_LENGTH, policy.srtp_auth_tag_length),
                    (SrtpParam.SRTCP_AUTH_TAG_LENGTH, policy.srtcp_auth_tag_length),
                ]
    return SecurityPolicyPayload(
        policy_no=policy_no,
        prot_type=ProtType.SRTP,
        params=tuple(
            PolicyParam(type=t, value=value.to_bytes(max(1, (value.bit_length() + 7) // 8)))
            for t, value in params
        ),
    )
