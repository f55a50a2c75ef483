"""Command-line interface (Typer). Heavy modules are imported inside commands."""
