"""Weighted evidence rules over facts."""
