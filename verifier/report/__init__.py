"""Reports: one ``Report`` model, rendered by one small module per format.

``render(report, fmt)`` is the only entry point the CLI needs; formats are ``text``, ``json``,
``sarif``, ``junit`` and ``github``.
"""
