"""Landmarks recorded elsewhere (another pose tool, a motion-capture export) as a PoseSequence.

``load_recorded(path, width=None, height=None)`` reads one person's landmarks over time
from a CSV or JSON file; ``save_recorded(sequence, path)`` writes the same formats (so a
sequence can be exported, edited and read back unchanged). Problems are reported as
``InputError`` naming the file, the line or frame, and what would have been accepted.

Landmark names
--------------
The 33 BlazePose names of ``backmech.motion.skeleton.LANDMARKS`` (``nose`` ...
``right_foot_index``). Names are matched ignoring case and the characters ``_ - .``
and spaces, so ``LEFT_HIP``, ``left-hip`` and ``LeftHip`` are all ``left_hip``.
Common alternative names (COCO, HALPE/Sports2D, OpenPose BODY_25) are mapped, with
``L``/``R`` or ``left``/``right`` in front (``LHip``, ``RKnee``, ``right_big_toe``):

- ``LEye``, ``LEar``, ``LShoulder``, ``LElbow``, ``LWrist``, ``LPinky``, ``LIndex``,
  ``LThumb``, ``LHip``, ``LKnee``, ``LAnkle``, ``LHeel`` -> ``left_eye`` ... ``left_heel``
  (``R...`` -> ``right_...``);
- ``LBigToe``, ``left_big_toe``, ``LToe``, ``LFootIndex`` -> ``left_foot_index``
  (``R...`` -> ``right_foot_index``);
- COCO's ``left_hip`` etc. are the BlazePose names already.

Points with no BlazePose counterpart are accepted and skipped: ``Neck``, ``Head``,
``HeadTop``, ``Hip``/``MidHip``/``Pelvis`` (mid-hip), ``Spine``, ``Chest``,
``LSmallToe``/``RSmallToe`` (``left_small_toe``...). Any other name is an error.

Coordinates
-----------
``x``, ``y``: pixels of the upright video frame (x to the right, y downwards). Values
normalised to 0-1 of the frame (as MediaPipe's ``NormalizedLandmark``) are accepted in
columns named ``x_norm``/``y_norm`` (CSV) or with ``"coordinates": "normalized"`` (JSON);
the frame ``width`` and ``height`` are then required. ``z`` (MediaPipe's image-space
depth) is accepted and ignored. ``visibility``: 0-1, default 1 for a given point.
World coordinates (3D), optional: ``world_x``, ``world_y``, ``world_z`` in metres,
hip-centred, x right, y down, z towards the camera (BlazePose's convention). A point not
seen is an empty cell (CSV) or ``null``/absent (JSON): it becomes NaN with visibility 0.

``time``: seconds (any origin; kept as given), one value per frame, strictly increasing.

CSV, long format (one row per landmark and frame)::

    # width: 1920
    # height: 1080
    # source: OpenCap session 12
    time,landmark,x,y,z,visibility,world_x,world_y,world_z
    0.000,left_hip,612.4,540.2,,0.98,0.091,0.002,0.010
    0.000,LKnee,600.1,700.0,,0.95,,,
    0.033,left_hip,613.0,541.0,,0.97,,,

Required columns: ``time``, ``landmark``, ``x`` and ``y`` (or ``x_norm`` and ``y_norm``);
the rest are optional. All rows of one frame share one ``time`` and are consecutive. A
frame without a person is a row with an empty ``landmark``. Leading ``# key: value``
lines set ``width``, ``height`` and ``source``; other ``#`` lines are comments. The
delimiter may be ``,``, ``;`` or a tab. A ``frame`` (or ``frame_index``) column is
ignored; any other extra column is an error.

CSV, wide format (one row per frame; chosen when there is no ``landmark`` column)::

    time,left_hip_x,left_hip_y,left_hip_visibility,LKnee_x,LKnee_y
    0.000,612.4,540.2,0.98,600.1,700.0

Columns ``<landmark>_<field>`` with field ``x``, ``y`` (or ``x_norm``, ``y_norm``),
``z``, ``visibility``, ``world_x``, ``world_y``, ``world_z``; each landmark needs both
``x`` and ``y`` columns.

JSON (``.json``): an object, or just the list of frames::

    {
      "width": 1920, "height": 1080,          (optional)
      "coordinates": "pixels",                (or "normalized"; default "pixels")
      "source": "OpenCap session 12",         (optional)
      "frames": [
        {"time": 0.0,
         "landmarks": {"left_hip": {"x": 612.4, "y": 540.2, "visibility": 0.98},
                       "LKnee": [600.1, 700.0]},
         "world": {"left_hip": [0.091, 0.002, 0.010]}},
        {"time": 0.033, "landmarks": {}}
      ]
    }

A landmark is ``{"x", "y", optional "z", optional "visibility"}`` (a ``"presence"`` key,
as MediaPipe exports it, is ignored) or ``[x, y]``; ``"landmarks"`` may also be a list of
33 such entries in BlazePose order. ``"world"`` (optional) maps names to ``[x, y, z]`` or
``{"x", "y", "z"}``. A frame's ``"index"``/``"frame"`` keys are ignored; other keys are errors.

Frame size: ``width``/``height`` arguments win, then the file's; without either (pixel
coordinates only) the size is the smallest that holds every point.
"""

from __future__ import annotations

from backmech.motion.pose.recorded.files import load_recorded, save_recorded
from backmech.motion.pose.recorded.names import canonical_landmark

__all__ = ["canonical_landmark", "load_recorded", "save_recorded"]
