"""Tests of rda skill check, package and assemble, and of the skill content itself."""
