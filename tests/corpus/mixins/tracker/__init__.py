"""Task tracker database layer built from shared mixins (contract ``taskapi``, version 1)."""
