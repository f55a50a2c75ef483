"""``python -m backmech``: the same command as the ``backmech`` console script."""

from backmech.cli.app import main

if __name__ == "__main__":
    main()
