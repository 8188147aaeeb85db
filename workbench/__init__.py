"""SSO Workbench: sign, validate and try out the community platform's JWT SSO."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sso-workbench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
