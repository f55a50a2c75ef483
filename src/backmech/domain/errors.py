"""One error tree for backmech; every error says what was wrong and what to do.

```
BackmechError                 user_message, hint, detail
├── KnowledgeError            a knowledge file is malformed (names file and key)
├── InputError                an intake or answer is invalid (names field and allowed values)
└── ScoringError              answers cannot be scored as the instrument requires
```

Entry points map these to their medium: the CLI prints the message and hint and
exits with code 2; a web page would show them next to the field.
"""

from __future__ import annotations


class BackmechError(Exception):
    """Base class: a message for the person, a hint on what to do, developer detail."""

    def __init__(self, user_message: str, *, hint: str = "", detail: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.hint = hint
        self.detail = detail

    def __str__(self) -> str:
        parts = [self.user_message]
        if self.hint:
            parts.append(self.hint)
        return " ".join(parts)


class KnowledgeError(BackmechError):
    """A knowledge-base file is missing, malformed or inconsistent.

    ``location`` names the file and the key (``exercises/core.yaml: bird-dog.dose``).
    """

    def __init__(self, location: str, problem: str, *, hint: str = "") -> None:
        super().__init__(
            f"{location}: {problem}",
            hint=hint or "Fix the knowledge file; every clinical number needs a known source id.",
        )
        self.location = location
        self.problem = problem


class InputError(BackmechError):
    """An intake field or answer is invalid.

    ``field`` is a dotted path (``questionnaires.odi.answers.lifting``); ``allowed``
    describes the values that would have been accepted.
    """

    def __init__(self, field: str, problem: str, *, allowed: str = "") -> None:
        hint = f"Allowed: {allowed}." if allowed else ""
        super().__init__(f"{field}: {problem}", hint=hint)
        self.field = field
        self.problem = problem
        self.allowed = allowed


class ScoringError(InputError):
    """Answers are present but cannot be scored as the published rules require."""
