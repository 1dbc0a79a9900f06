"""argparse in Chinese: `xmdw --help` and every subcommand's help are read by office staff.

argparse's own words (usage:, options:, positional arguments:, "show this help message and exit", the
error line) are English and not configurable through its API beyond these hooks: the usage prefix
(HelpFormatter.add_usage), the group titles, our own -h/--help, and `error()`. argparse's error
messages themselves stay as argparse words them, in brackets after a Chinese sentence.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # noqa: ANN001 — argparse's signature
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors read in Chinese; subparsers inherit the class."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：命令参数有误，请用 {self.prog} --help 查看用法（{message}）\n")


def add_command(subparsers: argparse._SubParsersAction, name: str, text: str) -> argparse.ArgumentParser:
    """A subcommand whose one-line help in `xmdw --help` is also its description in `xmdw NAME --help`."""
    return subparsers.add_parser(name, help=text, description=text)
