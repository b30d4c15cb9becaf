"""SRTP keys through an SDP offer and answer, SIP style (RFC 3264; RFC 4567 §4.1.1-§4.1.2,
§7.1; RFC 4568 §5.1, §7.1), sans-I/O.

The offerer calls ``offer`` with its SDP (the media it proposes, without keys): every
SRTP media description (``RTP/SAVP``, ``RTP/SAVPF``) is keyed by a MIKEY I_MESSAGE at
session level from the given Initiator, by SDES ``a=crypto`` attributes, or both. The
answerer calls ``answer`` with the offer and its own SDP (one media description per
offered one, RFC 3264 §6): MIKEY is preferred when it has a Responder and MIKEY is
offered, else SDES. The offerer ends with ``process_answer``. Each side gets one
``SrtpPair`` per media description (``None`` for media not keyed).

**Streams and crypto sessions.** RFC 4567 §7.1 gives each media description a MIKEY
message keys two consecutive CS IDs. Here the first of each pair (1, 3, 5, …) is the
stream the offerer sends, with the offerer's SSRC, and the second (2, 4, 6, …) the stream
the answerer sends, whose SSRC the Responder fills in (RFC 3830 §6.1.1). So the offerer
protects with CS 2k+1 and unprotects with CS 2k+2, the answerer the other way round.
The media a message keys are, in order, the SRTP media descriptions of its level: all
those without their own ``key-mgmt`` for a session-level message (RFC 4567 §3.1, §5.2),
the one it is in otherwise. With SDES each side sends with the key of its own attribute
(RFC 4568 §5.1.1).

**Failures.** Any key management failure raises ``MikeyKeyManagementError`` (SIP 488,
RTSP 463) with the cause as ``__cause__``; the whole setup is aborted, including what
succeeded (RFC 4567 §4.1.2). When the Responder made an error message, the exception
carries it and an answer SDP holding it (§4.1.2: the answer SHOULD include the cause).

**What is left to the caller.** Codecs, ports and addresses (the caller's SDP), which
media it accepts, SIP itself.

**Bidding down** (RFC 4567 §4.1.4): ``offer`` puts an SDP IDs General Extension in the
MIKEY message listing every session-level ``key-mgmt`` protocol, MIKEY last;
``answer`` checks the SDP IDs of what it receives
(``mikey.signalling.keymgmt.check_sdp_ids``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from mikey.errors import MikeyError, MikeyKeyManagementError, MikeyPeerError, MikeyValueError
from mikey.modes.common import CryptoSessionSpec, Initiator, Responder
from mikey.session import CryptoSessionBundle
from mikey.signalling import sdes
from mikey.signalling.keymgmt import (
    KEY_MGMT,
    MIKEY,
    KeyMgmt,
    check_sdp_ids,
    effective_key_mgmt,
    protocol_list,
    sdp_ids_payload,
)
from mikey.signalling.sdp import Attribute, MediaDescription, SessionDescription
from mikey.srtp.policy import AES_CM_128_HMAC_SHA1_80, SrtpPolicy
from mikey.wire.message import decode_message

if TYPE_CHECKING:
    from mikey.srtp.session import SrtpSession

__all__ = ["CRYPTO", "Answer", "Offer", "SrtpPair", "answer", "offer", "process_answer"]

CRYPTO = "crypto"
"""The SDES attribute name (RFC 4568 §9.1)."""


@dataclass(frozen=True, slots=True)
class SrtpPair:
    """The two libsrtp sessions of one media description: ``outbound`` protects what this
    side sends, ``inbound`` unprotects what the peer sends."""

    inbound: SrtpSession
    outbound: SrtpSession


@dataclass(frozen=True, slots=True, kw_only=True)
class Offer:
    """An offer and what the offerer keeps to read the answer.

    ``sdp``: the offer to send. ``bundle``: the bundle of the MIKEY I_MESSAGE (in force
    at once when no verification was asked for, else once the answer verifies).
    ``mikey_media``: the indexes of the media descriptions it keys, in CS ID order.
    ``sdes``: our ``a=crypto`` offers for each media index.
    """

    sdp: SessionDescription
    bundle: CryptoSessionBundle | None = field(default=None, repr=False)
    mikey_media: tuple[int, ...] = ()
    verify: bool = True
    sdes: dict[int, tuple[sdes.SdesCrypto, ...]] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """The answer to send, one ``SrtpPair`` per media description (``None``: not keyed),
    and the MIKEY bundles in force (to rekey or ``forget`` when the media end)."""

    sdp: SessionDescription
    sessions: tuple[SrtpPair | None, ...]
    bundles: tuple[CryptoSessionBundle, ...] = field(default=(), repr=False)


def _crypto_attribute(crypto: sdes.SdesCrypto) -> Attribute:
    return Attribute(CRYPTO, crypto.to_attribute().removeprefix(f"{CRYPTO}:"))


def _crypto_lines(media: MediaDescription) -> list[str]:
    return [f"{CRYPTO}:{a.value or ''}" for a in media.attributes(CRYPTO)]


def _mikey_pair(bundle: CryptoSessionBundle, index: int, *, offerer: bool) -> SrtpPair:
    sent, received = 2 * index + 1, 2 * index + 2  # §7.1: two CS IDs per media
    if not offerer:
        sent, received = received, sent
    return SrtpPair(
        inbound=bundle.srtp_session(received, direction="inbound"),
        outbound=bundle.srtp_session(sent, direction="outbound"),
    )


def _parse(sdp: SessionDescription | str | bytes) -> SessionDescription:
    return sdp if isinstance(sdp, SessionDescription) else SessionDescription.parse(sdp)


def offer(
    sdp: SessionDescription,
    initiator: Initiator | None = None,
    *,
    now: datetime,
    sdes_suites: Sequence[str] = (),
    ssrcs: Sequence[int] | None = None,
    policy: SrtpPolicy = AES_CM_128_HMAC_SHA1_80,
    verify: bool = True,
    rng: Callable[[int], bytes] = os.urandom,
) -> Offer:
    """Key the SRTP media of ``sdp``: a session-level MIKEY I_MESSAGE from ``initiator``
    (two crypto sessions per SRTP media, ``policy`` for each; ``ssrcs`` are our SSRCs,
    random when not given) and/or ``a=crypto`` attributes for ``sdes_suites`` in each
    SRTP media description (tags 1, 2, … in order of preference, RFC 4568 §5.1.1).

    :raises MikeyValueError: for nothing to key, no method asked for, ``ssrcs`` of the
        wrong length, or an SDP that already carries ``key-mgmt`` or ``crypto``
        attributes.
    """
    secured = [i for i, media in enumerate(sdp.media) if media.secure_rtp]
    if not secured:
        raise MikeyValueError("the SDP has no SRTP media (RTP/SAVP or RTP/SAVPF) to key")
    if initiator is None and not sdes_suites:
        raise MikeyValueError("offer MIKEY (an Initiator), SDES (sdes_suites), or both")
    if any(line.attribute is not None and line.attribute.name == CRYPTO for line in sdp.lines):
        raise MikeyValueError("the SDP already carries crypto attributes; offer SDES here")
    if any(media.attributes(KEY_MGMT) for media in sdp.media):
        raise MikeyValueError(
            "the SDP carries media-level key-mgmt attributes, which would override the"
            " session-level MIKEY offer (RFC 4567 §3.1)"
        )
    bundle = None
    if initiator is not None:
        if ssrcs is None:
            ssrcs = [int.from_bytes(rng(4)) or 1 for _ in secured]
        if len(ssrcs) != len(secured):
            raise MikeyValueError(f"{len(secured)} SRTP media need {len(secured)} SSRCs")
        specs = [
            spec
            for ssrc in ssrcs
            for spec in (
                CryptoSessionSpec(policy=policy, ssrc=ssrc),
                CryptoSessionSpec(policy=policy),
            )
        ]
        # The SDP IDs: every key management protocol the offer carries at session level,
        # ours last, authenticated by the MIKEY message against bidding-down (§4.1.4).
        others, _ = effective_key_mgmt(sdp)
        protocols = (*protocol_list(others), MIKEY)
        data, bundle = initiator.initiate(
            specs, now=now, verify=verify, extensions=[sdp_ids_payload(protocols)]
        )
        sdp = sdp.with_attributes([KeyMgmt(MIKEY, data).to_attribute()])
    offers: dict[int, tuple[sdes.SdesCrypto, ...]] = {}
    media = list(sdp.media)
    for i in secured if sdes_suites else ():
        offers[i] = tuple(
            sdes.generate(suite, tag=tag, rng=rng) for tag, suite in enumerate(sdes_suites, 1)
        )
        media[i] = media[i].with_attributes(_crypto_attribute(c) for c in offers[i])
    return Offer(
        sdp=sdp.with_media(media),
        bundle=bundle,
        mikey_media=tuple(secured) if initiator is not None else (),
        verify=verify,
        sdes=offers,
    )


@dataclass(slots=True)
class _Level:
    """The media one MIKEY message of an offer keys, and where it sits."""

    offers: tuple[KeyMgmt, ...]
    media_level: bool
    media: list[int] = field(default_factory=list)


def _mikey_levels(sdp: SessionDescription, secured: Sequence[int]) -> dict[int, _Level]:
    """The MIKEY messages of an offer by level (-1: session level), with their media."""
    levels: dict[int, _Level] = {}
    for i in secured:
        offers, media_level = effective_key_mgmt(sdp, sdp.media[i])
        if MIKEY in protocol_list(offers):
            levels.setdefault(i if media_level else -1, _Level(offers, media_level)).media.append(i)
    return levels


def _refused(what: str, exc: MikeyError) -> MikeyKeyManagementError:
    error = MikeyKeyManagementError(f"{what}: {exc}")
    error.__cause__ = exc
    return error


def answer(
    offer_sdp: SessionDescription | str | bytes,
    responder: Responder | None = None,
    *,
    local: SessionDescription,
    now: datetime,
    peer: bytes = b"",
    sdes_accept: Collection[str] = sdes.ANSWER_SUITES,
    require_sdp_ids: bool = False,
    rng: Callable[[int], bytes] = os.urandom,
) -> Answer:
    """Answer ``offer_sdp`` with keys added to ``local``, our SDP with one media
    description per offered one (RFC 3264 §6).

    MIKEY (with ``responder``) is preferred, else SDES (among ``sdes_accept``). Media that
    are not SRTP are not keyed. ``peer`` names the offerer for the Responder's replay
    state; ``require_sdp_ids`` refuses MIKEY messages without SDP IDs (RFC 4567 §4.1.4).

    :raises MikeySdpError: if the offer is not SDP or has an invalid key-mgmt attribute.
    :raises MikeyValueError: if ``local`` does not have one media description per
        offered one.
    :raises MikeyKeyManagementError: if an SRTP media description cannot be keyed: the
        Responder refused (with its error message and an answer SDP carrying it, where
        it made one), the SDP IDs do not match, or no acceptable method was offered.
    """
    sdp = _parse(offer_sdp)
    if len(local.media) != len(sdp.media):
        raise MikeyValueError(
            f"the answer needs {len(sdp.media)} media descriptions, not {len(local.media)}"
            " (RFC 3264 §6)"
        )
    secured = [i for i, media in enumerate(sdp.media) if media.secure_rtp]
    pairs: list[SrtpPair | None] = [None] * len(sdp.media)
    bundles: list[CryptoSessionBundle] = []
    session_attributes: list[Attribute] = []
    media = list(local.media)
    levels = _mikey_levels(sdp, secured) if responder is not None else {}
    for level, found in levels.items():
        assert responder is not None
        data = next(o.data for o in found.offers if o.protocol == MIKEY)
        try:
            check_sdp_ids(
                decode_message(data), protocol_list(found.offers), require_sdp_ids=require_sdp_ids
            )
        except MikeyError as exc:
            raise _refused("the MIKEY offer is refused", exc) from exc
        result = responder.receive(data, now=now, peer=peer)
        reply = None if result.reply is None else KeyMgmt(MIKEY, result.reply).to_attribute()
        if result.error is not None or result.bundle is None:
            error = result.error or MikeyError("no bundle")
            if reply is not None:
                if found.media_level:
                    media[level] = media[level].with_attributes([reply])
                else:
                    session_attributes.append(reply)
            failure = _refused("the Responder refused the MIKEY offer", error)
            failure.reply = result.reply
            if reply is not None:
                failure.answer_sdp = (
                    local.with_attributes(session_attributes).with_media(media).to_text()
                )
            raise failure
        bundle = result.bundle
        if len(bundle.crypto_sessions) != 2 * len(found.media):
            responder.forget(bundle.csb_id, initiator=bundle.initiator_id or peer)
            raise MikeyKeyManagementError(
                f"the MIKEY message has {len(bundle.crypto_sessions)} crypto sessions for"
                f" {len(found.media)} SRTP media; RFC 4567 §7.1 gives each media two"
            )
        bundles.append(bundle)
        for k, i in enumerate(found.media):
            pairs[i] = _mikey_pair(bundle, k, offerer=False)
        if reply is not None:
            if found.media_level:
                media[level] = media[level].with_attributes([reply])
            else:
                session_attributes.append(reply)
    for i in secured:
        if pairs[i] is not None:
            continue
        offered = _crypto_lines(sdp.media[i])
        if not offered:
            raise MikeyKeyManagementError(
                f"SRTP media {i + 1} offers no a=crypto and no MIKEY message"
                + (" (MIKEY needs a Responder)" if responder is None else "")
            )
        try:
            chosen, ours = sdes.answer(offered, accept=sdes_accept, rng=rng)
        except MikeyError as exc:
            raise _refused(f"SRTP media {i + 1}", exc) from exc
        media[i] = media[i].with_attributes([_crypto_attribute(ours)])
        pairs[i] = SrtpPair(
            inbound=sdes.srtp_session(chosen, "inbound"),
            outbound=sdes.srtp_session(ours, "outbound"),
        )
    return Answer(
        sdp=local.with_attributes(session_attributes).with_media(media),
        sessions=tuple(pairs),
        bundles=tuple(bundles),
    )


def process_answer(
    answer_sdp: SessionDescription | str | bytes,
    initiator: Initiator | None,
    offered: Offer,
) -> tuple[SrtpPair | None, ...]:
    """The offerer's sessions, one per media description, from the answer to ``offered``.

    A media description whose answer carries ``a=crypto`` is keyed by SDES, the others
    that MIKEY keyed by the bundle: the one the answer's MIKEY verification message
    confirms, or the offer's own when no verification was asked for.

    :raises MikeySdpError: if the answer is not SDP.
    :raises MikeyKeyManagementError: if the answer refuses the keys (a MIKEY error
        message, a verification that does not verify, an SDES answer that matches no
        offer) or leaves an SRTP media description without keys.
    """
    sdp = _parse(answer_sdp)
    if len(sdp.media) != len(offered.sdp.media):
        raise MikeyKeyManagementError(
            f"the answer has {len(sdp.media)} media descriptions for {len(offered.sdp.media)}"
            " offered (RFC 3264 §6)"
        )
    bundle = None if offered.verify else offered.bundle
    if offered.mikey_media and initiator is not None:
        offers, _ = effective_key_mgmt(sdp, sdp.media[offered.mikey_media[0]])
        reply = next((o.data for o in offers if o.protocol == MIKEY), None)
        if reply is not None:
            try:
                bundle = initiator.receive_response(reply)
            except MikeyPeerError as exc:
                raise _refused("the Responder answered with an error message", exc) from exc
            except MikeyError as exc:
                raise _refused("the MIKEY answer is refused", exc) from exc
    pairs: list[SrtpPair | None] = [None] * len(sdp.media)
    for i, media in enumerate(offered.sdp.media):
        if not media.secure_rtp:
            continue
        replies = _crypto_lines(sdp.media[i])
        if replies and i in offered.sdes:
            try:
                ours, theirs = sdes.process_answer(offered.sdes[i], replies[0])
            except MikeyError as exc:
                raise _refused(f"the SDES answer for media {i + 1}", exc) from exc
            pairs[i] = SrtpPair(
                inbound=sdes.srtp_session(theirs, "inbound"),
                outbound=sdes.srtp_session(ours, "outbound"),
            )
        elif bundle is not None and i in offered.mikey_media:
            pairs[i] = _mikey_pair(bundle, offered.mikey_media.index(i), offerer=True)
        else:
            raise MikeyKeyManagementError(f"the answer leaves SRTP media {i + 1} without keys")
    return tuple(pairs)
