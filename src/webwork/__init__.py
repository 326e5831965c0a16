"""webwork-server: a self-hostable implementation of the WebWork Time Tracker REST API v2."""

__version__ = "0.1.0"
API_VERSION = "2.0.0"
