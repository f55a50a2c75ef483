"""Recovery plans: settings from the knowledge base, and the generator."""
