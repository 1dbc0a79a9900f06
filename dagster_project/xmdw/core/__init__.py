"""Infrastructure every layer may use: paths, settings, file modes, atomic writes, locks, console text."""
