"""Fixtures for the end-to-end CLI tests: run ``python -m backmech`` as a subprocess.

The command is run exactly as a user would run it (a new process, real files,
real exit codes), so these tests catch what unit tests cannot: argument parsing,
exit codes, what goes to stdout and stderr, and files written or not written.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from backmech.cli.interactive import BASIC_FACTS, LEG_PAIN_ONLY, QUESTIONNAIRE_ORDER, SYMPTOM_FACTS
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.knowledge.loader import default_knowledge


@dataclass(frozen=True)
class Run:
    """What one CLI invocation did."""

    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


RunCli = Callable[..., Run]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # Wide, plain output so assertions do not depend on line wrapping or colour.
    env.update({"COLUMNS": "400", "PYTHONUTF8": "1", "NO_COLOR": "1", "TERM": "dumb"})
    env.pop("FORCE_COLOR", None)
    return env


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run ``backmech ARGS`` with ``stdin`` text, in ``tmp_path``; returns a :class:`Run`."""

    def run(*args: str | Path, stdin: str = "", timeout: float = 120) -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "backmech", *map(str, args)],
            input=stdin.encode("utf-8"),
            capture_output=True,
            cwd=tmp_path,
            env=_env(),
            timeout=timeout,
            check=False,
        )
        return Run(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))

    return run


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge()


def questionnaire_order(kb: KnowledgeBase) -> list[str]:
    order = [q for q in QUESTIONNAIRE_ORDER if q in kb.questionnaires]
    return order + [q for q in kb.questionnaires if q not in order]


def interactive_script(
    kb: KnowledgeBase,
    *,
    red_flags: Mapping[str, str] | None = None,
    basic: Mapping[str, str] | None = None,
    questionnaires: Mapping[str, Sequence[str]] | None = None,
    symptoms: Mapping[str, str] | None = None,
    preferences: Sequence[str] = ("", "", ""),
) -> list[str]:
    """The exact answer lines for a complete interactive run, in the order asked.

    Red flags default to "no", everything else to an empty line (skip). A
    questionnaire named in ``questionnaires`` is chosen ("yes") and its items get
    the given answers, padded with skips to the number of items; the others are
    skipped at their first question. The examination section is skipped.
    """
    red_flags = red_flags or {}
    basic = basic or {}
    questionnaires = questionnaires or {}
    symptoms = symptoms or {}
    vocab = kb.vocabulary
    lines = [red_flags.get(q.id, "no") for q in kb.safety.questions]
    for fact in BASIC_FACTS:
        if fact not in vocab.specs and fact not in vocab.lists:
            continue
        if fact in LEG_PAIN_ONLY and basic.get("pain.leg_pain") == "none":
            continue
        lines.append(basic.get(fact, ""))
    for qid in questionnaire_order(kb):
        if qid not in questionnaires:
            lines.append("")
            continue
        answers = list(questionnaires[qid])
        lines.append("yes")
        lines.extend(answers + [""] * (len(kb.questionnaires[qid].items) - len(answers)))
    lines.extend(
        symptoms.get(fact, "") for fact in SYMPTOM_FACTS if fact in vocab.specs or fact in vocab.lists
    )
    lines.append("")  # examination section: skip
    lines.extend(preferences)
    return lines


Script = Callable[..., list[str]]


@pytest.fixture(scope="session")
def script(kb: KnowledgeBase) -> Script:
    """:func:`interactive_script` for the bundled knowledge base."""

    return functools.partial(interactive_script, kb)


def _schema(kind: str, tmp: Path) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "backmech", "schema", kind],
        capture_output=True,
        cwd=tmp,
        env=_env(),
        timeout=120,
        check=True,
    )
    doc = json.loads(proc.stdout)
    assert isinstance(doc, dict)
    return doc


@pytest.fixture(scope="session")
def intake_schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The output of `backmech schema intake`."""
    return _schema("intake", tmp_path_factory.mktemp("schema"))


@pytest.fixture(scope="session")
def result_schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The output of `backmech schema result`."""
    return _schema("result", tmp_path_factory.mktemp("schema"))
