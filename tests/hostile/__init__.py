"""Hostile input: a generated corpus of malformed and malicious backup archives (see corpus.py)."""
