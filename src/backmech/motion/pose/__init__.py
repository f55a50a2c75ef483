"""Pose backends: turn decoded video frames (or recorded keypoints) into landmarks.

* ``base``       the ``PoseEstimator`` protocol every backend implements
* ``models``     the bundled BlazePose model files, sha256-checked, never downloaded
* ``blazepose``  ``BlazePoseLiteRT``: BlazePose (full) on ai-edge-litert, with tracking
* ``recorded``   ``load_recorded``: landmarks recorded elsewhere (CSV or JSON)

Importing this package is cheap: LiteRT and OpenCV are imported only when a backend
is created.
"""
