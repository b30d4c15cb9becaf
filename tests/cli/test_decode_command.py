"""``mikey decode`` end to end: every input form from a file and from standard input, the
tree and the JSON output, the profile hint, and every error path (exit 1 for bad input, 2
for bad usage, one line, never a traceback)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from mikey.cli.app import app
from mikey.registry import DataType
from mikey.wire.message import decode_message
from mikey.wire.profiles import STRICT
from mikey.wire.samples import psk_message, sample_message
from tests.interop.test_third_party_messages import NEEDS_PROFILE
from tests.interop.test_third_party_messages import VECTORS as THIRD_PARTY

from .test_inputs import RFC4567_OFFER

PSK = psk_message().encode()
SAKKE = sample_message(DataType.SAKKE_MSG).encode()
MILESTONE = bytes.fromhex(
    next(v for v in THIRD_PARTY if v["name"] == "milestone-xprotect-trailing-byte")["hex"]
)
B64 = base64.b64encode(PSK).decode()
TWO_KEY_MGMT_LINES = (
    "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
    f"a=key-mgmt:mikey {B64}\r\n"
    "m=video 0 RTP/SAVP 96\r\n"
    f"a=key-mgmt:mikey {base64.b64encode(SAKKE).decode()}\r\n"
)


def run(*args: str, stdin: bytes | str | None = None) -> Result:
    result = CliRunner().invoke(app, ["decode", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result


def run_json(*args: str, stdin: bytes | str | None = None) -> Any:
    return json.loads(run("--json", *args, stdin=stdin).stdout)


def _write(tmp_path: Path, data: bytes | str) -> str:
    path = tmp_path / "input"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


INPUTS: dict[str, tuple[bytes | str, str]] = {
    "raw": (PSK, "raw bytes"),
    "base64": ("\n".join(B64[i : i + 64] for i in range(0, len(B64), 64)), "base64"),
    "hex-spaces": (PSK.hex(" "), "hex"),
    "hex-colons": (PSK.hex(":").upper(), "hex"),
    "rtsp": (f'KeyMgmt: prot=mikey; uri="rtsp://cam/s"; data="{B64}"\r\n', "KeyMgmt line 1"),
    "sdp": (f"a=key-mgmt:mikey {B64}\n", "SDP line 1 (session level)"),
}


@pytest.mark.parametrize("via", ["file", "stdin", "dash"])
@pytest.mark.parametrize("form", list(INPUTS))
def test_every_input_form_from_file_and_stdin(form: str, via: str, tmp_path: Path) -> None:
    data, where = INPUTS[form]
    if via == "file":
        result = run(_write(tmp_path, data))
    else:
        result = run(*(["-"] if via == "dash" else []), stdin=data)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"MIKEY message from {where}")
    assert "Pre-shared, 152 bytes" in result.stdout
    assert result.stderr == ""


def test_tree_output_names_registry_values() -> None:
    out = run("--format", "hex", stdin=SAKKE.hex()).stdout
    for expected in (
        "Common header (HDR) @0+28",
        "Data type: SAKKE msg (26)",
        "PRF func: PRF-HMAC-SHA-256 (1)",
        "CSB ID: 0x4d4b4559 (1296778585)",
        "SSRC: 0x1a2b3c4d (439041101)",
        "ID Role: Initiator (IDRi) (1)",
        "Encryption algorithm (0): AES-CM (1)",
        "SAKKE data length: 273 bytes",
        "S type: ECCSI (2)",
    ):
        assert expected in out, expected
    assert "…" in out  # long byte strings are shortened …
    assert "…" not in run("--full", stdin=SAKKE.hex()).stdout  # … unless --full


def test_offsets_option() -> None:
    assert "Version: 1 @0+1" not in run(stdin=PSK.hex()).stdout
    assert "Version: 1 @0+1" in run("--offsets", stdin=PSK.hex()).stdout


def test_two_key_mgmt_lines_are_both_decoded(tmp_path: Path) -> None:
    result = run(_write(tmp_path, TWO_KEY_MGMT_LINES))
    assert result.exit_code == 0
    assert "MIKEY message from SDP line 5 (session level): Pre-shared" in result.stdout
    assert "MIKEY message from SDP line 7 (media 1: video): SAKKE msg" in result.stdout


def test_rfc4567_example_with_base64_over_three_lines() -> None:
    result = run(stdin=RFC4567_OFFER)
    assert result.exit_code == 0
    assert "ID data: 'donald@duck.com' (15 bytes)" in result.stdout


def test_json_one_message_is_an_object() -> None:
    out = run_json(stdin=B64)
    assert out["source"] == "base64"
    tree = out["message"]
    assert tree["name"] == "MIKEY message"
    assert (tree["offset"], tree["length"]) == (0, len(PSK))
    message = decode_message(PSK)
    payloads = tree["children"][1:]
    assert [p["name"] for p in payloads] == [
        "Timestamp (T)",
        "RAND",
        "Security policy (SP)",
        "Key data transport (KEMAC)",
    ]
    for index, payload in enumerate(payloads):
        start, end = message.payload_span(index)
        assert (payload["offset"], payload["length"]) == (start, end - start)
        for field in payload["children"]:
            assert {"name", "offset", "length"} <= set(field)
    header = tree["children"][0]
    assert {
        "name": "Data type",
        "value": 0,
        "text": "Pre-shared (0)",
        "offset": 1,
        "length": 1,
    } in header["children"]


def test_json_several_messages_are_a_list() -> None:
    out = run_json(stdin=TWO_KEY_MGMT_LINES)
    assert [item["source"] for item in out] == [
        "SDP line 5 (session level)",
        "SDP line 7 (media 1: video)",
    ]
    assert out[1]["message"]["text"] == "SAKKE msg, 790 bytes"


def test_failing_message_names_the_profile_that_reads_it() -> None:
    result = run(stdin=MILESTONE.hex())
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "message at byte 115: 1 byte after the last payload" in result.stderr
    assert "bytes from 107: " in result.stderr
    hint = "decodes with --profile trailing-zero (one 0x00 byte after the last payload)"
    assert hint in " ".join(result.stderr.split())


def test_failing_message_in_json() -> None:
    result = run("--json", stdin=MILESTONE.hex())
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "source": "hex",
        "error": "message at byte 115: 1 byte after the last payload",
        "payload": "message",
        "offset": 115,
        "hint": "decodes with --profile trailing-zero (one 0x00 byte after the last payload)",
    }


def test_lenient_hint_names_the_tolerance_needed() -> None:
    vector = next(v for v in THIRD_PARTY if v["name"] == "gortsplib-synthetic-kemac-spi")
    out = run_json(stdin=vector["hex"])
    assert out["hint"] == "decodes with --profile lenient (payloads the data type does not allow)"


def test_profile_shows_what_strict_decoding_refuses() -> None:
    result = run("--profile", "trailing-zero", stdin=MILESTONE.hex())
    assert result.exit_code == 0
    assert "not strict RFC 3830: message at byte 115" in result.stdout
    assert "Trailing bytes: 00 after the last payload" in result.stdout
    assert "Pre-shared, 115 bytes + 1 trailing byte" in result.stdout
    out = run_json("-p", "trailing-zero", stdin=MILESTONE.hex())
    assert out["strict_error"] == "message at byte 115: 1 byte after the last payload"
    tree = out["message"]
    assert tree["length"] == len(MILESTONE)
    assert tree["children"][-1] == {
        "name": "Trailing bytes",
        "value": "00",
        "text": "00 after the last payload (accepted by --profile trailing-zero)",
        "offset": 115,
        "length": 1,
    }


def test_one_bad_message_among_good_ones() -> None:
    sdp = f"a=key-mgmt:mikey {B64}\na=key-mgmt:mikey {base64.b64encode(MILESTONE).decode()}\n"
    result = run(stdin=sdp)
    assert result.exit_code == 1
    assert "MIKEY message from SDP line 1" in result.stdout
    assert "error in SDP line 2 (session level)" in result.stderr
    out = run_json(stdin=sdp)
    assert "message" in out[0]
    assert out[1]["offset"] == 115


@pytest.mark.parametrize("vector", THIRD_PARTY, ids=lambda v: v["name"])
def test_every_third_party_vector(vector: dict[str, Any]) -> None:
    profile = NEEDS_PROFILE.get(vector["name"], STRICT)
    result = run("--json", "--profile", profile.name, stdin=vector["hex"])
    assert result.exit_code == 0, result.stdout
    tree = json.loads(result.stdout)["message"]
    message = decode_message(bytes.fromhex(vector["hex"]), profile=profile)
    names = [c["name"] for c in tree["children"] if c["name"] != "Trailing bytes"]
    assert len(names) == 1 + len(message.payloads)
    assert run("--profile", profile.name, stdin=vector["hex"]).exit_code == 0


def _error(*args: str, stdin: bytes | str | None = None, code: int, message: str) -> None:
    result = run(*args, stdin=stdin)
    assert result.exit_code == code
    assert result.stdout == ""
    assert message in " ".join(result.stderr.split())
    json_result = run("--json", *args, stdin=stdin)
    assert json_result.exit_code == code
    out = json.loads(json_result.stdout)
    assert message in out["error"]


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (
            ["/nonexistent/input"],
            None,
            2,
            "cannot read /nonexistent/input: No such file or directory",
        ),
        (["/"], None, 2, "cannot read /: Is a directory"),
        (
            ["--format", "xml"],
            B64,
            2,
            "unknown --format 'xml': use one of auto, raw, base64, hex, sdp, rtsp",
        ),
        (
            ["--profile", "loose"],
            B64,
            2,
            "unknown --profile 'loose': use one of strict, trailing-zero",
        ),
        ([], "", 1, "the input is empty"),
        ([], "  \n", 1, "the input is empty"),
        ([], b"\x02\x00\xff\xfe", 1, "the input is neither text nor a raw MIKEY message"),
        ([], "AQAF!!", 1, "not valid base64: '!' at character 5"),
        (["--format", "hex"], "01 0g", 1, "not valid hex: 'g' is not a hex digit"),
        ([], "01 00 0", 1, "not valid hex: an odd number of digits (5)"),
        ([], "v=0\ns=-\nm=audio 0 RTP/SAVP 0\n", 1, "no MIKEY message found"),
        (["--format", "sdp"], B64, 1, "no a=key-mgmt:mikey attribute in the SDP text"),
        (["--format", "rtsp"], "CSeq: 1\n", 1, "no KeyMgmt header with prot=mikey"),
        ([], 'KeyMgmt: prot=mikey; uri="rtsp://x"', 1, "prot=mikey without a data parameter"),
        (
            [],
            PSK[:40].hex(),
            1,
            "RAND at byte 40: RAND: needs 16 bytes, 0 left",
        ),
    ],
    ids=[
        "missing-file",
        "directory",
        "unknown-format",
        "unknown-profile",
        "empty",
        "blank",
        "binary",
        "bad-base64",
        "bad-hex",
        "odd-hex",
        "sdp-without-mikey",
        "not-sdp",
        "not-rtsp",
        "rtsp-without-data",
        "truncated",
    ],
)
def test_errors(args: list[str], stdin: bytes | str | None, code: int, message: str) -> None:
    _error(*args, stdin=stdin, code=code, message=message)


def test_error_shows_the_bytes_around_the_fault() -> None:
    result = run(stdin=PSK[:40].hex())
    assert "bytes from 32: 57 c0 00 00 00 00 0a 10 [end]" in result.stderr


def test_help_is_readable() -> None:
    result = CliRunner().invoke(app, ["decode", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for option in ("--format", "--profile", "--json", "--full", "--offsets"):
        assert option in text
    assert "Exit status: 0 decoded, 1 bad input, 2 bad usage." in text
    for profile in ("strict", "trailing-zero", "3gpp-mcx", "lenient"):
        assert profile in text


def test_installed_command_reads_a_pipe() -> None:
    command = Path(sys.executable).with_name("mikey")
    result = subprocess.run(
        [str(command), "decode", "--json"], input=B64.encode(), capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr
    tree = json.loads(result.stdout)["message"]
    assert {n["name"] for n in _walk_json(tree)} >= {"Common header (HDR)", "MAC"}
    bad = subprocess.run([str(command), "decode"], input=b"AQ!!", capture_output=True, check=False)
    assert bad.returncode == 1
    assert b"Traceback" not in bad.stderr
    assert bad.stderr.decode().startswith("error: ")


def _walk_json(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for c in node.get("children", ()) for n in _walk_json(c))]
