"""Signing in with a password, and resetting a forgotten one."""
