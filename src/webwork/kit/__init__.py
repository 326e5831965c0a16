"""Building blocks shared by every domain; nothing here knows about time tracking."""
