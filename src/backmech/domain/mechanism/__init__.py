"""Mechanisms of pain and their classification from facts."""
