"""The BlazePose model files bundled with backmech, checked before use.

The two ``.tflite`` files live in the ``models/`` folder next to this module (see its
``NOTICE``: copied unchanged from the MediaPipe 0.10.21 wheel, Apache-2.0). Nothing is
ever downloaded: a missing file or a file whose sha256 differs from the pinned value is
an error, and the bytes that were checked are the bytes handed to the interpreter (no
second read between the check and the load).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from backmech.domain.errors import BackmechError

MODELS_DIR = Path(__file__).resolve().with_name("models")
"""Folder holding the bundled model files."""


@dataclass(frozen=True)
class ModelFile:
    """A bundled model: its file name and the sha256 it must have."""

    filename: str
    sha256: str
    description: str


POSE_DETECTOR = ModelFile(
    "pose_detection.tflite",
    "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    "BlazePose person detector (224x224 input, 2254 SSD anchors)",
)
POSE_LANDMARKER_FULL = ModelFile(
    "pose_landmark_full.tflite",
    "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "BlazePose GHUM full landmark model (256x256 input, 33 + 6 landmarks)",
)
BUNDLED: tuple[ModelFile, ...] = (POSE_DETECTOR, POSE_LANDMARKER_FULL)


class ModelFileError(BackmechError):
    """A bundled model file is missing or is not the file backmech was released with."""


def model_path(model: ModelFile, directory: Path | None = None) -> Path:
    """Where ``model`` is expected (in ``directory``, default the bundled folder)."""
    return (directory or MODELS_DIR) / model.filename


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_model(model: ModelFile, directory: Path | None = None) -> bytes:
    """The bytes of ``model`` after checking them against the pinned sha256.

    Raises ``ModelFileError`` when the file is missing, unreadable or altered.
    """
    path = model_path(model, directory)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(
            f"The pose model file {model.filename} is missing (looked in {path.parent}).",
            hint="Reinstall backmech: the models ship with the package and are never downloaded.",
            detail=str(path),
        ) from None
    except OSError as exc:
        raise ModelFileError(
            f"The pose model file {model.filename} cannot be read: {exc.strerror or exc}.",
            hint="Check the file permissions, or reinstall backmech.",
            detail=str(path),
        ) from exc
    actual = sha256_of(data)
    if actual != model.sha256:
        raise ModelFileError(
            f"The pose model file {model.filename} has been altered: its sha256 is {actual}, "
            f"expected {model.sha256}.",
            hint="Reinstall backmech to restore the original file; backmech refuses to run a "
            "model it cannot verify.",
            detail=str(path),
        )
    return data


def verify_all(directory: Path | None = None) -> None:
    """Check every bundled model (for diagnostics commands); raises ``ModelFileError``."""
    for model in BUNDLED:
        read_model(model, directory)
