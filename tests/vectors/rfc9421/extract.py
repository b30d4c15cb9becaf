"""Write this folder's files from the text of RFC 9421 (see SOURCE.md).

Each file is one figure of the RFC, given by its first and last line in rfc9421.txt:
the three-space indent is removed and lines folded with RFC 8792's single-backslash
strategy are joined (RFC 8792 §7.2.2: a line ending in "\\" continues on the next line,
whose leading whitespace is dropped).

    python tests/vectors/rfc9421/extract.py [path/to/rfc9421.txt]
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
DEFAULT_RFC = HERE.parents[3] / "shared" / "reference" / "rfc" / "rfc9421.txt"

FIGURES: dict[str, tuple[int, int]] = {
    # B.1: the example keys
    "test-key-rsa.pub.pem": (4487, 4494),
    "test-key-rsa.pem": (4496, 4522),
    "test-key-rsa-pss.pub.pem": (4567, 4575),
    "test-key-rsa-pss.pem": (4577, 4604),
    "test-key-ecc-p256.pub.pem": (4650, 4653),
    "test-key-ecc-p256.pem": (4655, 4659),
    "test-key-ed25519.pub.pem": (4678, 4680),
    "test-key-ed25519.pem": (4682, 4684),
    "test-shared-secret.b64": (4703, 4704),
    # B.2: the test messages, and each example's signature base and fields
    "test-request.http": (4716, 4724),
    "test-response.http": (4730, 4737),
    "b2.1.base.txt": (4750, 4751),
    "b2.1.fields.txt": (4758, 4765),
    "b2.2.base.txt": (4794, 4801),
    "b2.2.fields.txt": (4808, 4816),
    "b2.3.base.txt": (4836, 4847),
    "b2.3.fields.txt": (4854, 4862),
    "b2.4.base.txt": (4888, 4894),
    "b2.4.fields.txt": (4901, 4905),
    "b2.5.base.txt": (4923, 4927),
    "b2.5.fields.txt": (4934, 4936),
    "b2.6.base.txt": (4950, 4958),
    "b2.6.fields.txt": (4965, 4969),
    # B.3: a TLS-terminating proxy signs Client-Cert
    "b3.request.http": (5001, 5016),
    "b3.base.txt": (5028, 5042),
    "b3.signed-request.http": (5056, 5075),
    # B.4: transformations that keep (ok) or break (broken) the signature
    "b4.signed-request.http": (5093, 5101),
    "b4.base.txt": (5105, 5110),
    "b4.ok-added-field-and-query.http": (5119, 5128),
    "b4.ok-removed-date-collapsed-accept.http": (5140, 5147),
    "b4.ok-reordered-fields.http": (5155, 5163),
    "b4.broken-method-and-authority.http": (5172, 5180),
    "b4.broken-accept-order.http": (5190, 5198),
    # §2.4: signed responses covering request components with req
    "2.4.request.http": (1613, 1621),
    "2.4.response.http": (1627, 1634),
    "2.4.response.base.txt": (1653, 1664),
    "2.4.signed-response.http": (1670, 1682),
    "2.4.signed-request.http": (1708, 1725),
    "2.4.response-2.base.txt": (1732, 1747),
    "2.4.signed-response-2.http": (1753, 1766),
    # §2.5 Figure 1 and §3.2: the signature base of an RSA-PSS signature, then verifying it
    "2.5.request.http": (1957, 1965),
    "2.5.base.txt": (1978, 1987),
    "3.2.signed-request.http": (2203, 2220),
    # §4.3: a client's signature and a reverse proxy's second signature
    "4.3.client-request.http": (2613, 2626),
    "4.3.forwarded-request.http": (2634, 2648),
    "4.3.proxy.base.txt": (2668, 2679),
    "4.3.proxy.signature.b64": (2685, 2690),
    "4.3.proxy-signed-request.http": (2702, 2726),
}


def unwrap(lines: list[str]) -> list[str]:
    """RFC 8792 §7.2.2, after removing the RFC's three-space indent."""
    out: list[str] = []
    folding = False
    for line in lines:
        text = line[3:] if line.startswith("   ") else line.lstrip(" ")
        if folding:
            out[-1] += text.lstrip(" ")
        else:
            out.append(text)
        folding = out[-1].endswith("\\")
        if folding:
            out[-1] = out[-1][:-1]
    return out


def main(rfc: Path) -> None:
    lines = rfc.read_text(encoding="utf-8").splitlines()
    for name, (first, last) in FIGURES.items():
        figure = unwrap(lines[first - 1 : last])
        (HERE / name).write_text("\n".join(figure) + "\n", encoding="ascii")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_RFC)
