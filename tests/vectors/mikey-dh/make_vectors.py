"""Regenerate dh.json: known-answer vectors for Diffie-Hellman over the OAKLEY groups of
RFC 3830 §4.2.7, computed with nothing but Python's pow() on the primes of RFC 2409
§6.1/§6.2 and RFC 3526 §2 (typed in below again, not imported from mikey).

Exponents come from SHAKE-256 of a label, so anyone can rebuild them; for the cases that
need a leading zero byte the label carries a counter, raised until the value has one.
Run from the repository root: python tests/vectors/mikey-dh/make_vectors.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

PRIMES = {
    "OAKLEY 1": """FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74
        020BBEA6 3B139B22 514A0879 8E3404DD EF9519B3 CD3A431B 302B0A6D F25F1437
        4FE1356D 6D51C245 E485B576 625E7EC6 F44C42E9 A63A3620 FFFFFFFF FFFFFFFF""",
    "OAKLEY 2": """FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74
        020BBEA6 3B139B22 514A0879 8E3404DD EF9519B3 CD3A431B 302B0A6D F25F1437
        4FE1356D 6D51C245 E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
        EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE65381 FFFFFFFF FFFFFFFF""",
    "OAKLEY 5": """FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74
        020BBEA6 3B139B22 514A0879 8E3404DD EF9519B3 CD3A431B 302B0A6D F25F1437
        4FE1356D 6D51C245 E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
        EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE45B3D C2007CB8 A163BF05
        98DA4836 1C55D39A 69163FA8 FD24CF5F 83655D23 DCA3AD96 1C62F356 208552BB
        9ED52907 7096966D 670C354E 4ABC9804 F1746C08 CA237327 FFFFFFFF FFFFFFFF""",
}
DH_GROUP = {"OAKLEY 5": 0, "OAKLEY 1": 1, "OAKLEY 2": 2}  # RFC 3830 Table 6.4


def exponent(label: str, p: int) -> int:
    """2 + (SHAKE-256(label) mod (p - 3)), with 8 bytes more than p: in [2, p-2]."""
    draw = hashlib.shake_256(label.encode()).digest((p.bit_length() + 7) // 8 + 8)
    return 2 + int.from_bytes(draw) % (p - 3)


def vector(group: str, name: str, want: str | None) -> dict[str, object]:
    p = int("".join(PRIMES[group].split()), 16)
    length = (p.bit_length() + 7) // 8
    for counter in range(10_000):
        xi = exponent(f"mikey-dh {group} {name} initiator {counter}", p)
        xr = exponent(f"mikey-dh {group} {name} responder {counter}", p)
        yi, yr = pow(2, xi, p), pow(2, xr, p)
        secret = pow(yr, xi, p)
        if want is None or (want == "secret" and secret < 1 << 8 * (length - 1)):
            break
        if want == "public" and yi < 1 << 8 * (length - 1):
            break
    else:
        raise AssertionError(f"no {want} with a leading zero byte found")
    return {
        "name": f"{group.lower().replace(' ', '')}-{name}",
        "group": group,
        "dh_group": DH_GROUP[group],
        "xi": f"{xi:x}",
        "xr": f"{xr:x}",
        "dh_i": yi.to_bytes(length).hex(),
        "dh_r": yr.to_bytes(length).hex(),
        "tgk": secret.to_bytes(length).hex(),
    }


def main() -> None:
    cases = [("random", None), ("leading-zero-tgk", "secret"), ("leading-zero-dh-i", "public")]
    vectors = [vector(group, name, want) for group in PRIMES for name, want in cases]
    out = Path(__file__).with_name("dh.json")
    out.write_text(json.dumps(vectors, indent=1) + "\n")


if __name__ == "__main__":
    main()
