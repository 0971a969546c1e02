"""``rda reflect``: from what failed to the skill guidance that should have prevented it.

- ``failures``: a ``rda verify`` JSON report or an ``rda eval`` benchmark read into failures,
  grouped and ranked by how often they happened;
- ``sections``: a ``skill_ref`` (``references/sessions.md#expire-on-commit``) opened as the
  section of the skill it names;
- ``teaching``: whether that section's text teaches the fix (the sentence that does);
- ``proposal``: the edit to propose (the text to add, and where);
- ``render``: the Markdown for a person and for Claude; ``log``: the REFLECTION.md entry.
"""
