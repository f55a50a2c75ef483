"""The knowledge base as validated data files (YAML) and the loader that reads them.

Each file kind has a pydantic schema next to its reader; a file that breaks it is
rejected with the file name and the key. Every clinical number carries a
``source`` id that must exist in ``sources/*.yaml``.
"""
