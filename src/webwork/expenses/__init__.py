"""expenses domain."""
