"""leaves domain."""
