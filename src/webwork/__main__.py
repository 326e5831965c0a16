"""``python -m webwork``: the same commands as ``webwork``."""

from webwork.cli import app

app(prog_name="webwork")
