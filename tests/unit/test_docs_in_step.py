"""Generated documentation stays in step with the knowledge base."""

from __future__ import annotations

from pathlib import Path

from backmech.domain.knowledge_base import KnowledgeBase
from backmech.services.schemas import vocabulary_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_vocabulary_doc_is_current(kb: KnowledgeBase) -> None:
    expected = vocabulary_markdown(kb)
    actual = (DOCS / "vocabulary.md").read_text(encoding="utf-8")
    assert actual == expected, "regenerate: backmech vocabulary --markdown > docs/vocabulary.md"


def test_every_intake_fact_is_documented(kb: KnowledgeBase) -> None:
    text = (DOCS / "vocabulary.md").read_text(encoding="utf-8")
    for fact_id, spec in kb.vocabulary.specs.items():
        if spec.origin in ("intake", "derived"):
            assert f"`{fact_id.rsplit('.', 1)[-1]}`" in text or f"`{fact_id}`" in text, fact_id
