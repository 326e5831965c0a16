"""timesheets domain."""
