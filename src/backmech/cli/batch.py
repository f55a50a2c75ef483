"""Batch assessment: many cases in, one result (or error) per case out.

A bad case never stops the batch: it gets an error record naming the field, and
the command exits with code 2 at the end so scripts notice.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import orjson

from backmech.bootstrap import assessment_service
from backmech.cli.files import MAX_INPUT_BYTES, read_json, write_atomic
from backmech.cli.render import dumps
from backmech.domain.errors import BackmechError, InputError
from backmech.input_files import read_lines_limited


def _cases(source: Path) -> Iterator[tuple[str, object]]:
    """(name, decoded case or the error it raised) for a folder or a JSON-lines file."""
    if source.is_dir():
        for path in sorted(source.glob("*.json")):
            try:
                yield path.stem, read_json(path)
            except InputError as exc:
                yield path.stem, exc
        return
    lines = read_lines_limited(
        source, MAX_INPUT_BYTES, what="one case", allowed="a folder of *.json files or a .jsonl file"
    )
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield f"line-{number}", orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield f"line-{number}", InputError(f"{source}:{number}", f"is not valid JSON ({exc})")


def _error_record(name: str, error: BackmechError) -> dict[str, object]:
    return {
        "case": name,
        "ok": False,
        "error": {"message": error.user_message, "hint": error.hint, "field": getattr(error, "field", None)},
    }


def run_batch(source: Path, out: Path | None, knowledge: Path | None) -> int:
    """Assess every case; returns the exit code (0, or 2 when any case was invalid)."""
    service = assessment_service(knowledge)
    per_file = out is not None and out.suffix != ".jsonl"
    lines: list[bytes] = []
    failed = 0
    total = 0
    for name, data in _cases(source):
        total += 1
        if isinstance(data, BackmechError):
            record: dict[str, object] = _error_record(name, data)
            failed += 1
        else:
            try:
                result = service.assess(data)
            except BackmechError as error:
                record = _error_record(name, error)
                failed += 1
            else:
                record = {"case": result.case_id or name, "ok": True, "result": result}
        if per_file:
            assert out is not None
            suffix = ".result.json" if record["ok"] else ".error.json"
            write_atomic(out / f"{name}{suffix}", dumps(record, indent=True))
        else:
            lines.append(dumps(record))
    if out is not None and not per_file:
        write_atomic(out, b"\n".join(lines) + (b"\n" if lines else b""))
    elif out is None:
        sys.stdout.buffer.write(b"\n".join(lines) + (b"\n" if lines else b""))
    sys.stderr.write(f"{total - failed} of {total} cases assessed; {failed} invalid\n")
    return 2 if failed else 0
