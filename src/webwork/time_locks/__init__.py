"""The member lock and the approved-period lock that every write of time takes."""
