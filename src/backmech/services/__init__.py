"""Use cases that entry points call: assessment, schemas, batch processing."""
