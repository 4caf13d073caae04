"""`make bench`: python -m tests.bench [--sizes 100M,1G,4G,65k] [--no-verify] [--out build/bench]"""

from __future__ import annotations

import os
import sys

# This process is moto: it holds every object and, on CompleteMultipartUpload, joins the parts in
# memory. With glibc's sliding mmap threshold, the freed multi-MB buffers stayed in malloc's arenas
# (RSS 5 GB after a 1 GB backup), so large blocks are mmapped (and returned) and arenas are few.
# Function children do not inherit this (infra.local.lambdas drops MALLOC_* for them).
TUNING = {"MALLOC_MMAP_THRESHOLD_": str(256 * 1024), "MALLOC_ARENA_MAX": "4"}
if any(os.environ.get(key) != value for key, value in TUNING.items()):
    os.execve(sys.executable, [sys.executable, "-m", "tests.bench", *sys.argv[1:]], os.environ | TUNING)

# Before moto is imported (infra.local imports it): the product's part size (kluis.settings'
# default), not the tests' tiny ones.
os.environ["S3_UPLOAD_PART_SIZE"] = str(8 * 1024 * 1024)
os.environ["S3_UPLOAD_PART_MIN_SIZE"] = str(5 * 1024 * 1024)
# moto keeps objects below this in memory (default: just under 5 MiB, so every seeded 2 MiB document);
# above it they go to temporary files. The 4G set held 4.6 GB in RAM that way, and with moto joining
# a 4.6 GB multipart upload twice in memory on completion, the bench was OOM-killed at 23 GB.
os.environ.setdefault("MOTO_S3_DEFAULT_KEY_BUFFER_SIZE", str(256 * 1024))

from tests.bench.run import main  # noqa: E402 (after the environment is set)

if __name__ == "__main__":
    raise SystemExit(main())
