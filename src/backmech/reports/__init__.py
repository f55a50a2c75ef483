"""Renderers for people: printable HTML reports."""
