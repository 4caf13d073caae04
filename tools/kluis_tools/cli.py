"""The `kluis` command: tools for engineers and operators.

kluis seed [options]     demo data into a data bucket (see `kluis seed --help`)
kluis ops COMMAND        operators: system-restore requests, restore points, fulfil, drill
                         (see `kluis ops --help` and docs/operations.md)
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from kluis_tools import ops, seed

COMMANDS: dict[str, Callable[[list[str]], int]] = {"seed": seed.main, "ops": ops.main}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return COMMANDS[args[0]](args[1:])


if __name__ == "__main__":
    sys.exit(main())
