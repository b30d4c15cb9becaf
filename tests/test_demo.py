"""``make demo`` runs, and what it prints is the truth: keys agree, packets are recovered,
attacks are refused."""

from __future__ import annotations

import pytest

from mikey import demo


def test_demo_runs_and_reports_success(capsys: pytest.CaptureFixture[str]) -> None:
    demo.main()
    out = " ".join(capsys.readouterr().out.split())  # rich wraps lines at the terminal width
    assert "DIFFERENT" not in out and "LOST" not in out and "FAILS" not in out
    assert out.count("Alice = Bob") == 3
    assert out.count("100 recovered by Bob") == 2
    assert out.count("refused by libsrtp") == 4
    assert "decrypts under the new key with ROC 1" in out
    for refusal in ("Auth failure", "dropped without an answer", "Invalid SP", "Invalid TS"):
        assert refusal in out
    assert "50 packets Alice → Bob, 50 recovered" in out
    assert "Bob → Alice under Bob's own key: recovered" in out
    assert "validate alice: valid" in out
    assert "validate bob: refused — revoked: CN=bob was revoked on" in out
    assert "keyCompromise" in out
    assert "SRTP: 50 packets Alice → Bob over PKE keys, 50 recovered" in out
    assert "Bob (revoked) → Alice: refused, Invalid Cert" in out
    assert "Done" in out
