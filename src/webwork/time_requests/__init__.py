"""time requests domain."""
