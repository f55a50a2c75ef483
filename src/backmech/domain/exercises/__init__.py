"""Exercise library model and mechanism-aware selection."""
