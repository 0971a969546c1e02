"""Running untrusted target code: only in child processes, with limits, and never trusted back.

- ``runner``: the run's ``Sandbox`` (parent side): starts the fork server, asks it for a child
  per lane, feeds the child's events to the caller and polices it (deadlines, budgets, kill);
- ``forkserver``: the process inside the sandbox that imports the heavy libraries once and forks
  the children, each with its rlimits, identity and scrubbed environment;
- ``bubblewrap``: the outer wall where ``bwrap`` works (read-only system, no home, no network);
- ``child``: a child's entry point, running the stages and turning their failures into findings
  or internal errors;
- ``guard``: the audit hook inside the child (network, processes, writes outside the copy);
- ``environment`` and ``relay``: where the target finds its database and settings, and a
  loopback port to the database's socket for URLs built from parts;
- ``aliases``: one file, one module, so an ``env.py`` importing the models under another name
  does not define every table twice;
- ``events``: the line protocol the child reports through.
"""
