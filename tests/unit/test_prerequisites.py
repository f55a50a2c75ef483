"""The suite's system prerequisites: one message for all that is missing, and the stand-ins that count."""

from __future__ import annotations

import pytest

import prerequisites


def test_one_message_names_everything_missing_and_the_command_that_installs_it() -> None:
    absent = [prerequisites.PREREQUISITES[name] for name in ("postgresql", "chromium", "pango")]
    text = prerequisites.message(absent)
    assert text.count("\n  - ") == 3
    packages = "postgresql chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
    assert f"apt-get install -y {packages}" in text
    assert "BACKMECH_TEST_POSTGRES_URL" in text and "BACKMECH_CHROMIUM" in text
    assert "scripts/test" in text


def test_every_need_a_test_can_mark_names_known_prerequisites() -> None:
    for need, names in prerequisites.NEEDS.items():
        assert names and all(name in prerequisites.PREREQUISITES for name in names), need


def test_stand_ins_count_as_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("BACKMECH_TEST_POSTGRES_URL", "postgresql://u@localhost/postgres")
    monkeypatch.setenv("BACKMECH_CHROMIUM", "/bin/sh")
    assert prerequisites.missing(["postgresql", "chromium"]) == []
    monkeypatch.setenv("BACKMECH_CHROMIUM", "/nonexistent/chromium")
    assert [p.name for p in prerequisites.missing(["chromium"])] == ["chromium"]
