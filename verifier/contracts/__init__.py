"""Behaviour contracts: what a layer must do, checked against its own functions and sessions.

``taskapi`` is built in (DESIGN.md section 6). A contract is a list of small named async checks
whose docstring is the sentence the report prints when the check fails.
"""
