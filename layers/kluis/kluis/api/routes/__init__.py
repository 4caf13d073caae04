"""One Router per resource of the API."""
