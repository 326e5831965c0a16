"""tracking domain."""
