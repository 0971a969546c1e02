"""Running untrusted target code: only in child processes, with limits, and never trusted back.

``runner`` starts and polices the child (timeout, process group, rlimits, scrubbed environment,
a temporary copy of the target); ``child`` is the child's entry point; ``guard`` is the audit
hook that reports network connections and process spawns; ``events`` is the line protocol the
child reports through.
"""
