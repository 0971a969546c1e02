"""Skill packages treated like code: ``rda skill check``, ``package`` and ``assemble``.

A skill teaches Claude to write database code, so its examples are checked as code: linted
against their ``# expect:`` markers and, when marked ``# runnable``, executed on PostgreSQL. Each
module checks one thing (frontmatter, links, length, examples, runnable examples, skill refs,
evals); ``check`` runs them as stages, ``package`` builds the ``.skill`` zip and ``assemble``
writes the capstone out as a project.
"""

from verifier.skill.assemble import assemble_project
from verifier.skill.check import check_skill
from verifier.skill.package import package_skill

__all__ = ["assemble_project", "check_skill", "package_skill"]
