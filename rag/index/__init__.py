"""The on-disk index format, and the only code that reads or writes it."""
