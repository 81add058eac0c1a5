"""The SDK versions table: `python3 dev.py sdk-matrix` (see __main__.py)."""
