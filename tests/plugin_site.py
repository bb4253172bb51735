"""Throwaway packages installed for one test run: a real entry point, no network."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def install_plugin(tmp: Path, name: str, source: str, explorers: dict[str, str]) -> Path:
    """Install package `name` (one module holding `source`) registering `explorers`
    ({explorer name: "module:function"}) into a fresh target directory; returns it (a PYTHONPATH)."""
    src = tmp / f"{name}-src"
    (src / name).mkdir(parents=True)
    (src / name / "__init__.py").write_text(source)
    points = "\n".join(f'{k} = "{v}"' for k, v in explorers.items())
    (src / "pyproject.toml").write_text(
        textwrap.dedent(f"""
        [build-system]
        requires = ["hatchling==1.27.0"]
        build-backend = "hatchling.build"
        [project]
        name = "{name.replace("_", "-")}"
        version = "0.1"
        [project.entry-points."scout.explorers"]
        """)
        + points
        + "\n"
    )
    site = tmp / f"{name}-site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(site), str(src)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return site
