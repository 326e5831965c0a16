"""Who is calling (principal), in which workspace and with which role (actor)."""
