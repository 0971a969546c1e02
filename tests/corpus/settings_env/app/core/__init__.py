"""Application-wide plumbing: the settings read from the environment."""
