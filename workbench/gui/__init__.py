"""The desktop workbench (PySide6). Nothing imports this package but the command line."""
