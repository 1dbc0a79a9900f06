"""How the CLI runs a command: writing commands under the run lock, known failures as Chinese messages.

`xmdw run` and `xmdw ingest` hold the data directory's run lock for the whole command (the build and
the period reports after it), waiting for a run in progress unless `--wait SECONDS` limits that. A full
disk or a run in progress end with one Chinese sentence and an exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from xmdw.core.diskspace import DiskFullError, is_disk_full
from xmdw.core.runlock import RunInProgress, run_lock

WAIT_HELP = (
    "seconds to wait for a run in progress (default: wait until it ends; 0: exit at once with code 75)"
)


def add_wait_option(parser: argparse.ArgumentParser) -> None:
    """`--wait SECONDS` on a command that writes the warehouse; marks it as taking the run lock."""
    parser.add_argument("--wait", type=float, default=None, metavar="SECONDS", help=WAIT_HELP)
    parser.set_defaults(takes_run_lock=True)


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed command; a writing command under the run lock."""
    from xmdw.core.settings import configure_environment

    try:
        if not getattr(args, "takes_run_lock", False):
            return args.func(args)
        paths = configure_environment()
        with run_lock(paths.run_lock, wait=getattr(args, "wait", None)):
            return args.func(args)
    except RunInProgress as e:
        print(e, file=sys.stderr)
        return e.exit_code
    except DiskFullError as e:
        print(e, file=sys.stderr)
        return e.exit_code
    except OSError as e:
        if not is_disk_full(e):
            raise
        full = DiskFullError("写入数据目录时失败", str(e))
        print(full, file=sys.stderr)
        return full.exit_code
