"""The one command line: `xmdw <命令>` (xmdw.cli.main)."""
