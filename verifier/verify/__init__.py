"""``rda verify``: the target (manifest or discovery), the pipeline of stages, the command glue."""
