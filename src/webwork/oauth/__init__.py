"""OAuth 2 authorization server: the clients owners register per workspace, and the
authorization, token, revocation, introspection and metadata endpoints (Authlib)."""
