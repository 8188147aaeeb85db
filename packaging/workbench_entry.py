"""Entry point of the standalone bundle (PyInstaller runs this file)."""

from workbench.cli import main

raise SystemExit(main())
