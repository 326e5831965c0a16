"""The documentation site: its configuration page is generated from ``Settings``, so the
committed page must be what the generator renders now (``make docs`` rewrites it), and
name every setting."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from webwork.config import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parent.parent


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "settings_reference", ROOT / "scripts" / "settings_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_configuration_page_is_the_generated_one() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == generator().render(), "docs/configuration.md is stale: run `make docs`"


def test_every_setting_is_documented_with_its_default() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    default_text = generator().default_text
    for name, field in Settings.model_fields.items():
        assert field.description, f"Settings.{name} has no description"
        row = next(
            (line for line in page.splitlines() if line.startswith(f"| `{ENV_PREFIX}{name.upper()}` |")), None
        )
        assert row is not None, f"{ENV_PREFIX}{name.upper()} is missing from docs/configuration.md"
        assert default_text(field) in row


def test_nav_lists_every_page() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(path.name for path in (ROOT / "docs").glob("*.md"))
    assert pages, "docs/ has no pages"
    for page in pages:
        assert f": {page}" in config, f"docs/{page} is not in the nav of mkdocs.yml"
