"""The answer vocabulary: the prompter, and the parsers that check one typed answer.

Every parser takes the text as typed and returns the value for the intake, or
raises InvalidAnswerError saying what was wrong and what is allowed; the prompter
then asks again. An empty answer or ``skip`` leaves a question out (``None``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO, TypeVar

from rich.console import Console
from rich.text import Text

from backmech.domain.facts import FactSpec, Vocabulary
from backmech.domain.questionnaires.model import Item

T = TypeVar("T")
Answer = object
"""A JSON value for the intake; ``None`` means the question was left unanswered."""
Where = tuple[str, ...]
"""Keys from the intake root to a field, e.g. ``("person", "age")``."""

SKIP_WORDS = frozenset({"", "skip"})
YES_WORDS = frozenset({"y", "yes", "true"})
NO_WORDS = frozenset({"n", "no", "false"})
UNSURE_WORDS = frozenset({"unsure", "not sure", "don't know", "dont know", "?"})
NONE_WORDS = frozenset({"none", "nothing"})
MAX_ACTIVITY_TEXT = 200
MAX_LINE_CHARS = 10_000
"""Longer than any answer typed by a person; a longer line is a file or device on standard input."""


class InvalidAnswerError(Exception):
    """An answer that cannot be accepted: what was wrong and what is allowed."""

    def __init__(self, problem: str, allowed: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.allowed = allowed


class InputEndedError(Exception):
    """Standard input closed before the assessment was finished."""


class LineTooLongError(Exception):
    """Standard input gave a line longer than any answer (a file or device, not a person)."""


class Prompter:
    """Writes questions and reads checked answers, one line at a time."""

    def __init__(self, console: Console, stdin: TextIO) -> None:
        self.console = console
        self.stdin = stdin
        self.echo = not _isatty(stdin)
        """Without a terminal nothing echoes the answer, so we do (a readable transcript)."""

    def say(self, text: str = "", style: str = "") -> None:
        self.console.print(Text(text, style=style))

    def ask(self, prompt: str, parse: Callable[[str], T]) -> T:
        """Ask until ``parse`` accepts the answer; raise InputEndedError at end of input."""
        while True:
            self.console.print(Text(f"{prompt} ", style="bold"), end="")
            self.console.file.flush()
            line = self.stdin.readline(MAX_LINE_CHARS + 1)
            if len(line) > MAX_LINE_CHARS:
                raise LineTooLongError
            if not line:
                self.console.print()
                raise InputEndedError
            text = line.strip()
            if self.echo:
                self.console.print(Text(text))
            try:
                return parse(text)
            except InvalidAnswerError as exc:
                self.say(f"  Not accepted: {exc.problem}. Allowed: {exc.allowed}.", "red")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# --- parsing one typed answer --------------------------------------------------------


def yes_no(text: str, *, skippable: bool = True, extra: Mapping[str, bool] | None = None) -> bool | None:
    """Yes or no (or a word of ``extra``); Enter skips it unless ``skippable`` is false."""
    word = text.lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    if extra and word in extra:
        return extra[word]
    if skippable and word in SKIP_WORDS:
        return None
    allowed = "yes or no" + (", or Enter to skip" if skippable else "")
    shown = repr(text) if text else "an empty answer"
    raise InvalidAnswerError(f"{shown} is not yes or no", allowed)


def red_flag_answer(text: str) -> bool | None:
    """Yes or no; ``unsure`` leaves it unanswered. A safety question cannot be skipped by accident."""
    word = text.lower()
    if word in UNSURE_WORDS:
        return None
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    problem = "a safety question cannot be left out" if word in SKIP_WORDS else f"{text!r} is not yes or no"
    raise InvalidAnswerError(problem, "yes, no, or unsure if you cannot say")


def choose(text: str) -> bool:
    """Whether to answer a questionnaire or section now (Enter skips it)."""
    answer = yes_no(text)
    return bool(answer)


def number(spec: FactSpec, text: str) -> int | float | None:
    """A finite number that the fact accepts (its range); a whole one comes back as an int."""
    if text.lower() in SKIP_WORDS:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidAnswerError(f"{text!r} is not a number", number_range(spec)) from None
    if not math.isfinite(value):
        raise InvalidAnswerError(f"{text!r} is not a number", number_range(spec))
    parsed: int | float = int(value) if value.is_integer() else value
    problem = spec.check_value(parsed)
    if problem:
        raise InvalidAnswerError(f"{text} {problem}", number_range(spec))
    return parsed


def number_range(spec: FactSpec) -> str:
    """What a number fact allows, for the prompt and the error message."""
    low = "" if spec.minimum is None else f"{spec.minimum:g}"
    high = "" if spec.maximum is None else f"{spec.maximum:g}"
    unit = f" {spec.unit}" if spec.unit else ""
    return f"a number from {low} to {high}{unit}, or Enter to skip"


def pick(values: Sequence[str], text: str) -> str | None:
    """One value of a numbered list, by number or by name."""
    word = text.lower()
    if word in SKIP_WORDS:
        return None
    if word.isdigit() and 1 <= int(word) <= len(values):
        return values[int(word) - 1]
    if word in values:
        return word
    raise InvalidAnswerError(
        f"{text!r} is not one of the options",
        f"a number from 1 to {len(values)} or one of {', '.join(values)}, or Enter to skip",
    )


def pick_many(values: Sequence[str], text: str) -> list[str] | None:
    """Several values of a numbered list: comma-separated numbers or names; ``none`` for none."""
    word = text.lower()
    if word in SKIP_WORDS:
        return None
    if word in NONE_WORDS:
        return []
    chosen: list[str] = []
    for part in (p.strip() for p in word.replace(";", ",").split(",")):
        if not part:
            continue
        if part.isdigit() and 1 <= int(part) <= len(values):
            value = values[int(part) - 1]
        elif part in values:
            value = part
        else:
            raise InvalidAnswerError(
                f"{part!r} is not one of the options",
                f"numbers from 1 to {len(values)} or names from the list, separated by commas; "
                "'none' if none apply; or Enter to skip",
            )
        if value not in chosen:
            chosen.append(value)
    return chosen


def item_answer(item: Item, text: str) -> int | bool | None:
    """An answer to one questionnaire item: yes or no (or a label) for a boolean item, else a listed score."""
    if text.lower() in SKIP_WORDS:
        return None
    if item.type == "boolean":
        labels = {opt.label.lower(): bool(opt.value) for opt in item.answer_option}
        return yes_no(text, extra=labels)
    try:
        value = int(text)
    except ValueError:
        raise InvalidAnswerError(
            f"{text!r} is not a whole number", f"{item.allowed()}, or Enter to skip"
        ) from None
    if item.option(value) is None:
        raise InvalidAnswerError(
            f"{value} is not an answer to this question", f"{item.allowed()}, or Enter to skip"
        )
    return value


def activity_text(text: str) -> str | None:
    """An activity in the person's own words (PSFS), up to MAX_ACTIVITY_TEXT characters."""
    if text.lower() in SKIP_WORDS:
        return None
    if len(text) > MAX_ACTIVITY_TEXT:
        raise InvalidAnswerError(
            f"the text is {len(text)} characters long",
            f"up to {MAX_ACTIVITY_TEXT} characters, or Enter to skip",
        )
    return text


def whole(spec: FactSpec, text: str) -> int | None:
    """Like :func:`number`, but only a whole number is accepted."""
    value = number(spec, text)
    if isinstance(value, float):
        raise InvalidAnswerError(f"{text} is not a whole number", number_range(spec))
    return value


# --- showing a numbered list of options ---------------------------------------------


def enum_descriptions(vocab: Vocabulary, spec: FactSpec) -> Mapping[str, str]:
    """Descriptions of an enum fact's values when they come from a named enumeration."""
    for values in vocab.enumerations.values():
        if tuple(values) == spec.values:
            return values
    return {}


def show_options(prompter: Prompter, values: Sequence[str], descriptions: Mapping[str, str]) -> None:
    """The options as a numbered list, each with its description when it has one."""
    width = len(str(len(values)))
    for position, value in enumerate(values, start=1):
        text = descriptions.get(value, "")
        prompter.say(f"  {position:>{width}}. {value}" + (f" - {text}" if text else ""))
