"""The pure domain core: scoring, screening, rules, mechanisms and plans.

Nothing in this package reads files, the clock or the environment; callers pass
everything in. That keeps every clinical decision reproducible and testable.
"""
