"""Landmark names: BlazePose names, accepted aliases (COCO, HALPE, OpenPose) and skipped points."""

from __future__ import annotations

import re

from backmech.motion.skeleton import LANDMARKS

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
JSON_SUFFIXES = (".json",)
IGNORED_COLUMNS = frozenset({"frame", "frameindex"})
"""Extra CSV columns that are accepted and ignored (``frame``, ``frame_index``; normalised names)."""

SKIPPED_POINTS: frozenset[str] = frozenset(
    {
        "neck", "head", "headtop", "hip", "midhip", "pelvis", "spine", "chest",
        "lsmalltoe", "rsmalltoe", "leftsmalltoe", "rightsmalltoe",
    }
)  # fmt: skip
"""Normalised names of points without a BlazePose counterpart: accepted, then dropped."""


def _key(name: str) -> str:
    return re.sub(r"[\s_.\-]+", "", name).lower()


def _aliases() -> dict[str, str]:
    table = {_key(name): name for name in LANDMARKS}
    paired = {
        "eye": "eye", "ear": "ear", "shoulder": "shoulder", "elbow": "elbow", "wrist": "wrist",
        "hip": "hip", "knee": "knee", "ankle": "ankle", "heel": "heel", "pinky": "pinky",
        "index": "index", "thumb": "thumb", "bigtoe": "foot_index", "toe": "foot_index",
        "footindex": "foot_index",
    }  # fmt: skip
    for side, short in (("left", "l"), ("right", "r")):
        for part, target in paired.items():
            for prefix in (short, side):
                table.setdefault(prefix + part, f"{side}_{target}")
    return table


ALIASES: dict[str, str] = _aliases()
"""Normalised name (``_key``) -> BlazePose landmark."""

_SKIP = "__skip__"


def canonical_landmark(name: str) -> str | None:
    """The BlazePose name for ``name``, None for a known point BlazePose lacks; KeyError otherwise."""
    key = _key(name)
    if key in ALIASES:
        return ALIASES[key]
    if key in SKIPPED_POINTS:
        return None
    raise KeyError(name)
