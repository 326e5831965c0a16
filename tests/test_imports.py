"""Every entry point imports on its own, in a fresh interpreter: the test run imports
modules in its own order, which can hide an import cycle that ``webwork serve`` (whose
workers import ``webwork.app`` first) would meet."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.test_cli import SOURCE


@pytest.mark.parametrize("module", ["webwork.app", "webwork.cli", "webwork.models"])
def test_the_entry_point_imports_first(module: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [SOURCE, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", f"import {module}"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
