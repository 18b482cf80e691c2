"""sitegen as a user installs it: `python -m build` on a copy of the repository, the wheel
installed (not editable) into a fresh virtual environment, then `sitegen init` and
`sitegen build` there, from the venv's own command.

The build runs without network (--no-isolation: the test extra brings `build` and a recent
setuptools); the venv sees this environment's packages (--system-site-packages) for the
dependencies, but sitegen itself must come from the wheel: the test checks where it is
imported from.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

from sitegen import __version__
from sitegen.scaffold import DISTRIBUTION
from tests.sitekit import REPO

# What a built site needs from the package data, and what the package data must hold.
ASSETS = ("assets/site.css", "assets/site.js", "assets/search.js", "assets/filter.js",
          "assets/plotly-basic.min.js")
PAGES = ("index.html", "404.html", "activities/index.html", "areas/first-area/index.html",
         "timeline/index.html", "pages/about/index.html", "search/index.html", "feed.xml", "sitemap.xml",
         "data/activities.json")
IGNORED = shutil.ignore_patterns(".git", "output", "node_modules", ".sitegen-cache", "__pycache__", "*.egg-info",
                                 ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", ".benchmarks",
                                 "corpora", "dist", "build", ".output*")


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    run = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=180, check=False)
    assert run.returncode == 0, f"{args}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run


def _package_data() -> set[str]:
    """The theme, catalogue and map data files of this checkout, as paths inside the package."""
    found = set()
    for folder in ("theme", "locales", "data"):
        for path in (REPO / "sitegen" / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                found.add(path.relative_to(REPO).as_posix())
    return found


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The wheel and the sdist, built by `python -m build` from a copy of the repository."""
    root = tmp_path_factory.mktemp("install")
    src = root / "src"
    shutil.copytree(REPO, src, ignore=IGNORED, symlinks=True)
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", root / "dist", src, cwd=root)
    wheels, sdists = sorted((root / "dist").glob("*.whl")), sorted((root / "dist").glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    return wheels[0], sdists[0]


def test_the_wheel_and_sdist_are_named_and_carry_the_theme_and_catalogues(dists: tuple[Path, Path]) -> None:
    wheel, sdist = dists
    stem = f"{DISTRIBUTION.replace('-', '_')}-{__version__}"
    assert wheel.name == f"{stem}-py3-none-any.whl" and sdist.name == f"{stem}.tar.gz"
    data = _package_data()
    assert {"sitegen/theme/assets/site.css", "sitegen/theme/templates/base.html",
            "sitegen/locales/sitegen.pot"} <= data
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = zf.read(f"{stem}.dist-info/METADATA").decode("utf-8")
    assert data <= names, sorted(data - names)
    assert f"{stem}.dist-info/licenses/LICENSE" in names
    assert not [n for n in names if n.startswith("tests/") or "__pycache__" in n]
    assert f"Name: {DISTRIBUTION}\n" in metadata and f"Version: {__version__}\n" in metadata
    assert "License-Expression: MIT" in metadata and "Requires-Python: >=3.11" in metadata
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    assert data | {"LICENSE", "README.md", "pyproject.toml", "sitegen/cli.py", "tests/sitekit.py",
                   "site.yaml", "content/plan.yaml"} <= members


def test_a_fresh_venv_installs_the_wheel_and_makes_a_site(dists: tuple[Path, Path], tmp_path: Path) -> None:
    wheel, _ = dists
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=False)
    python, sitegen = env_dir / "bin/python", env_dir / "bin/sitegen"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SITEGEN_AS_OF", "SITEGEN_TODAY")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # (pip from this environment, installing into the venv: sys.prefix is the venv's)
    _run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--force-reinstall", wheel, cwd=tmp_path, env=env)
    where = _run(python, "-c", "import sitegen, importlib.metadata as md; "
                 f"print(sitegen.__file__); print(md.version({DISTRIBUTION!r}))", cwd=tmp_path, env=env)
    module, version = where.stdout.split()
    assert Path(module).resolve().is_relative_to(env_dir.resolve()), module
    assert version == __version__
    assert _run(sitegen, "--version", cwd=tmp_path, env=env).stdout == f"sitegen {__version__}\n"

    _run(sitegen, "init", "mysite", cwd=tmp_path, env=env)
    site = tmp_path / "mysite"
    built = _run(sitegen, "build", "mysite", cwd=tmp_path, env=env)
    assert built.stderr == "" and "0 warnings" in built.stdout
    out = site / "output"
    for rel in ASSETS + PAGES:
        assert (out / rel).is_file(), rel
    assert (out / "assets/site.css").read_bytes() == (REPO / "sitegen/theme/assets/site.css").read_bytes()
    assert 'href="assets/site.css' in (out / "index.html").read_text(encoding="utf-8")

    # the new site's CI installs this project, by its name on the index, at this version
    requirements = (site / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [ln for ln in requirements if not ln.startswith("#")] == [f"{DISTRIBUTION}=={__version__}"]
    flow = yaml.safe_load((site / ".github/workflows/sitegen.yml").read_text(encoding="utf-8"))
    runs = [s.get("run", "") for job in flow["jobs"].values() for s in job["steps"]]
    assert runs.count("python -m pip install -r requirements.txt") == 2
    assert f'"{DISTRIBUTION} @ git+' in (site / "README.md").read_text(encoding="utf-8")

    # the catalogues came along: a French site speaks French from the installed package
    po = REPO / "sitegen/locales/fr.po"
    if po.is_file():
        from babel.messages.pofile import read_po
        with open(po, "rb") as fh:
            timeline = read_po(fh).get("Timeline")
        assert timeline is not None and timeline.string
        config = site / "site.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: fr"),
                          encoding="utf-8")
        _run(sitegen, "build", "mysite", cwd=tmp_path, env=env)
        assert f">{timeline.string}</a>" in (out / "index.html").read_text(encoding="utf-8")


def test_the_release_workflow_publishes_tested_files_without_secrets() -> None:
    flows = {name: (REPO / ".github/workflows" / name).read_text(encoding="utf-8") for name in ("release.yml", "ci.yml")}
    release, ci = (yaml.safe_load(flows[n]) for n in ("release.yml", "ci.yml"))
    on = release.get("on", release.get(True))  # YAML 1.1 reads the key `on` as true
    assert on == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {"contents": "read"} and ci["permissions"] == {"contents": "read"}
    publish = release["jobs"]["publish"]
    assert set(publish["needs"]) == {"build", "test"} and release["jobs"]["test"]["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"} and publish["environment"]["name"] == "pypi"
    assert publish["environment"]["url"].endswith(f"/project/{DISTRIBUTION}/")
    assert [s["uses"].split("@")[0] for s in publish["steps"]] == ["actions/download-artifact",
                                                                    "pypa/gh-action-pypi-publish"]
    for name, text in flows.items():
        code = "\n".join(ln.split(" #")[0] for ln in text.splitlines() if not ln.lstrip().startswith("#"))
        assert "secrets." not in code and "password" not in code and "api-token" not in code, name
        for line in text.splitlines():
            if line.strip().startswith(("uses:", "- uses:")):
                ref = line.split("uses:")[1].split("#")[0].strip()
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+(\.\d+){0,2}", ref), (name, line)
    smoke = "\n".join(s.get("run", "") for s in release["jobs"]["test"]["steps"])
    assert "pip install dist/*.whl" in smoke and "sitegen init mysite" in smoke and "sitegen build" in smoke
    assert [s.get("run") for s in ci["jobs"]["test"]["steps"]][-1] == "bash .ci/run"
