"""Collects check_posture.py's checks under pytest's naming (skipped without KLUIS_REAL_STACK)."""

from tests.real_account.check_posture import *  # noqa: F403
