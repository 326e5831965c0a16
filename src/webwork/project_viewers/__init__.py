"""project viewers domain."""
