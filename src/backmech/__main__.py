"""``python -m backmech``: the same command as the ``backmech`` console script."""

from backmech.cli.app import app

if __name__ == "__main__":
    app(prog_name="backmech")
