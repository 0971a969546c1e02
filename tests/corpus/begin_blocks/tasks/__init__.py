"""Task API database layer in flat modules, one ``session.begin()`` block per operation."""
