"""Task tracker database layer: one unit of work (transaction) per request."""
