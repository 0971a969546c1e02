"""The finding codes of ``rda skill check``: what can be wrong with a skill package.

They are separate from the RDA rule codes (those judge database code; these judge the skill that
teaches it) and, like them, stable once released. SKL1xx frontmatter, 2xx links and layout,
3xx length, 4xx code examples, 5xx skill refs, 6xx evals.
"""

from __future__ import annotations

FRONTMATTER_MISSING = "SKL101"  # no SKILL.md, no frontmatter, or not a YAML mapping
FRONTMATTER_KEY = "SKL102"  # a key the Agent Skills spec does not define
NAME_INVALID = "SKL103"
DESCRIPTION_INVALID = "SKL104"
FIELD_INVALID = "SKL105"  # license, compatibility, metadata, allowed-tools

LINK_BROKEN = "SKL201"  # a relative link to a file that does not exist
ANCHOR_MISSING = "SKL202"  # a link to a #section that no heading makes
REFERENCE_TOO_DEEP = "SKL203"  # a reference not linked from SKILL.md, or nested in a folder
LINK_OUTSIDE_SKILL = "SKL204"  # a relative link leaving the skill folder (breaks when packaged)

BODY_TOO_LONG = "SKL301"  # SKILL.md body of 500 lines or more
TOC_MISSING = "SKL302"  # a file over 300 lines without a table of contents at the top

EXAMPLE_NOT_CLEAN = "SKL401"  # an unmarked example the linter reports findings on
EXPECTATION_UNMET = "SKL402"  # a "# expect:" example that does not raise exactly those codes
RUNNABLE_FAILED = "SKL403"  # a "# runnable" example that failed or timed out on PostgreSQL
MARKER_INVALID = "SKL404"  # a malformed "# expect:" or "# file:" marker
EXAMPLE_UNVERIFIED = "SKL405"  # a right-way block neither run, in a layer, nor a fragment
LAYER_REJECTED = "SKL406"  # a layer of examples that rda verify reports findings on

SKILL_REF_UNRESOLVED = "SKL501"  # a verifier.skill_refs constant with no matching heading

EVALS_INVALID = "SKL601"  # evals/evals.json unreadable or not in skill-creator's format
EVAL_FILE_MISSING = "SKL602"
EVAL_UNCHECKABLE = "SKL603"  # an expectation that names no finding code rda can report
