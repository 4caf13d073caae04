"""Backups: the API queues one (`start`), the Build step streams the archive (`build`)."""
