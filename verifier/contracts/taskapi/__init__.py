"""The Task API contract, version 1 (DESIGN.md section 6)."""

CONTRACT_VERSION = 1
