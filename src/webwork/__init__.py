"""webwork-server: a self-hostable implementation of the WebWork Time Tracker REST API v2."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("webwork-server")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0.0.0+unknown"
API_VERSION = "2.0.0"
