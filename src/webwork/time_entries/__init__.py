"""time entries domain."""
