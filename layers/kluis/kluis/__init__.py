"""Kluis: backup and restore of administrations on AWS object storage.

The package knows nothing of Lambda events; `functions/*/app.py` translate events into calls here.
"""
