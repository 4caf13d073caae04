"""The benchmark behind `make bench` (docs/performance.md): backups (and restores, once the API has
them) of seeded data sets of increasing size through the local stack, against a plain-copy floor."""
