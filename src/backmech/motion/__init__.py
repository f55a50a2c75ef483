"""Motion analysis: movement videos → pose → kinematics → findings in the fact vocabulary.

Layers inside this package (import-linter keeps them apart):

* ``skeleton``            landmark names and the pose-sequence value types (numpy only)
* ``kinematics``          gap filling, filtering, angles, signals (numpy/scipy, pure)
* ``protocols``           one module per movement test: metrics, phases, findings (pure)
* ``pose``, ``video``     adapters: decoding files and running pose models
* ``pipeline``, ``overlay``  orchestration and rendering used by the CLI and workers

Nothing here imports the heavy modules (PyAV, OpenCV, LiteRT) at import time.
"""
