"""Print the corpus table of docs/reliability.md from the case definitions (paste it between the markers)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus.build_corpus import CASES, GROUPS  # noqa: E402


def outcome(c) -> str:
    e = c.expect
    if e.status == "accepted":
        text = f"accepted, {e.loaded} loaded"
        if e.rejected:
            text += ", rejected: " + " ".join(e.rejected)
        if e.findings:
            text += ", kept with finding: " + " ".join(e.findings)
        return text
    return f"{e.status} {e.rule}" if e.rule else e.status


def table() -> str:
    lines = []
    for group, title in GROUPS.items():
        lines += [f"\n#### {group} — {title}\n", "| case | input | expected outcome |", "|---|---|---|"]
        for c in (c for c in CASES if c.group == group):
            root = " (root only)" if c.root_only else ""
            lines.append(f"| `{c.id}` | {c.what}{root} | {outcome(c)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
