"""Task API database layer configured the full-stack-fastapi-template way (``app.core.config``)."""
