"""How a 6-12 week recovery course goes on from what a person logs.

Pure decisions, no I/O: each module takes logged values plus the
:class:`~backmech.domain.progression.settings.ProgressionSettings` loaded from
``knowledge/progression.yaml`` and returns immutable records that say what to do
and which rule (with its source id) decided it. :mod:`.course` replays a whole
course through the other modules.
"""
