"""Throughput of the MIKEY codec and the PSK exchange, against the bare crypto primitives.

Run with ``make bench`` (or ``.venv/bin/python -m bench [--quick] [--json PATH]``).

What is measured, on one core, in messages per second and µs per message:

* decode and encode of a pre-shared-key I_MESSAGE with two crypto sessions
  (``mikey.wire.samples.psk_message(crypto_sessions=2)``, 152 bytes: HDR with an SRTP-ID
  map, T, RAND, SP, and an AES-CM-128 encrypted KEMAC with an HMAC-SHA-1 MAC);
* decode and encode of a public-key I_MESSAGE carrying a two-certificate chain
  (``mikey.wire.samples.public_key_message(chain)``), where the chain is an RSA-2048 leaf
  and the RSA-2048 intermediate that signed it, generated with ``cryptography`` at start-up
  so that the message has a realistic size (about 2.4 KB).

Decoding is ``decode_message(data)``; encoding is
``Message(header=m.header, payloads=m.payloads).encode()``, a fresh ``Message`` each time
because a message caches its encoding (so encoding includes the payload-rule check of
``Message.__post_init__``, as it does for an application that builds a message).

Absolute figures depend on the machine, so each is also given as a ratio to a primitive a
Responder must run on the same message anyway, measured in the same run with the same
harness (all through ``cryptography``, i.e. OpenSSL):

* HMAC-SHA-1 over the PSK message's authenticated bytes: verifying the KEMAC MAC
  (RFC 3830 §4.2.4, §5.2), the unavoidable per-message cost of the pre-shared-key method;
* AES-128-CTR over 36 bytes: decrypting the KEMAC Encr data (one TGK sub-payload) with
  AES-CM (RFC 3830 §4.2.3);
* RSA-2048 PKCS#1 v1.5 signature verification (SHA-256 digest) over the public-key
  message's authenticated bytes: checking its SIGN payload (RFC 3830 §5.2, §6.5), the
  dominant cost of the public-key method.

The full pre-shared-key exchange (Initiator builds, Responder processes and answers with
V, Initiator verifies, both sides' libsrtp sessions created) is timed against the same
exchange's crypto primitives called directly, and the Responder's memory per established
bundle is measured with tracemalloc (``bench/exchange.py`` says exactly what each covers).

Certificate path validation with CRL revocation (``bench/pki.py``) is timed against the
four signature verifications it requires (target ≤ 1.5x, issue 4).

A ratio such as "decode costs 1.8x one HMAC-SHA-1 over the message" says how much the
codec adds to the crypto a Responder cannot avoid, and stays comparable across machines.

Method: ``time.perf_counter_ns`` around batches of calls whose size is calibrated so that
one batch lasts about 0.2 s, after a warm-up; several repetitions (7 by default), reported
as best and median. The garbage collector stays enabled, as in a real process, so the
median includes its pauses. The process pins itself to one CPU where the OS allows it.
Nothing here asserts on timings: the tests never measure time (project rule), and the
target printed at the end is informational; the exit code is 0 either way.
"""
