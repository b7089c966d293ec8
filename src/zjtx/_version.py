"""The package version (a leaf module: the catalog's rule fingerprint reads it without importing
the public API through ``zjtx/__init__``)."""

__version__ = "0.1.0"
