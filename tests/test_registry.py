"""Every registry enum agrees with the IANA "MIKEY Payload Name Spaces" registry.

``tests/vectors/iana/mikey-payloads.json`` is a copy of the IANA registry (see its
SOURCE.md); a value assigned there must be a member here with the same description, and
nothing here may be unassigned there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mikey import registry

IANA = json.loads((Path(__file__).parent / "vectors/iana/mikey-payloads.json").read_text())


def _subregistries(node: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for child in node.get("registries", []):
        found[child["id"]] = child
        found.update(_subregistries(child))
    return found


SUBREGISTRIES = _subregistries(IANA)


def _assigned(records: list[dict[str, Any]]) -> dict[int, str]:
    assigned = {}
    for record in records:
        value, description = record["value"], record.get("description", "")
        if "-" in value or description.lower().startswith(("unassigned", "reserved", "private")):
            continue
        assigned[int(value, 0)] = description
    return assigned


@pytest.mark.parametrize("registry_id", sorted(registry.IANA_SUBREGISTRIES))
def test_enum_matches_iana(registry_id: str) -> None:
    enum = registry.IANA_SUBREGISTRIES[registry_id]
    assigned = _assigned(SUBREGISTRIES[registry_id]["records"])
    ours = {member.value: member.label for member in enum}
    assert ours == assigned


def test_every_iana_value_registry_is_mirrored() -> None:
    with_values = {
        rid
        for rid, sub in SUBREGISTRIES.items()
        if any(r["value"][0].isdigit() for r in sub.get("records", []))
    }
    # mikey-payloads-2 is the version field (0x01), a constant rather than an enum.
    assert with_values - set(registry.IANA_SUBREGISTRIES) == {"mikey-payloads-2"}


def test_implicit_lengths() -> None:
    assert registry.MacAlg.HMAC_SHA_256_256.mac_length == 32
    assert registry.DhGroup.OAKLEY_5.value_length == 1536 // 8
    assert registry.HashFunc.MD5.digest_length == 16
    assert registry.TsType.COUNTER.value_length == 4
    assert registry.label_of(99, registry.DataType) == "unassigned (99)"
