"""How a command ends: the failures an operator can act on as one Chinese sentence and an exit code.

A full disk or a run in progress (the run lock, xmdw.core.runlock) end with one Chinese sentence on stderr
and their own exit code, never a traceback. The CLI (xmdw.cli.main) runs every command through here; this
module knows nothing of argument parsing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from xmdw.core.diskspace import DiskFullError, is_disk_full
from xmdw.core.engine import EngineError
from xmdw.core.runlock import RunInProgress


def run_guarded(command: Callable[[], int]) -> int:
    """Run `command` and return its exit code; a run in progress or a full disk as a message and a code."""
    try:
        return command()
    except RunInProgress as e:
        print(e, file=sys.stderr)
        return e.exit_code
    except DiskFullError as e:
        print(e, file=sys.stderr)
        return e.exit_code
    except EngineError as e:  # XMDW_ENGINE / XMDW_PG_DSN set wrongly: what to set, not a traceback
        print(e, file=sys.stderr)
        return 2
    except OSError as e:
        if not is_disk_full(e):
            raise
        full = DiskFullError("写入数据目录时失败", str(e))
        print(full, file=sys.stderr)
        return full.exit_code
