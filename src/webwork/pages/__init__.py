"""Server-rendered pages for people in a browser: signing in and consenting to an
OAuth app, joining a workspace from an invitation mail, resetting a password."""
