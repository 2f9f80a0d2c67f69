"""The declared dependencies, the hashed lock files and what is installed agree with each other."""

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import folium
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ui.webmap import LEAFLET_VERSION

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCKS = {"requirements.txt": PYPROJECT["project"]["dependencies"],
         "requirements-dev.txt": PYPROJECT["project"]["dependencies"]
         + PYPROJECT["project"]["optional-dependencies"]["dev"]}
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)")


def _pins(lock: str) -> dict[str, tuple[str, int]]:
    """name -> (pinned version, number of hashes) of a lock file made by `uv pip compile --generate-hashes`."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / lock).read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            pinned, hashes = pins[current]
            pins[current] = (pinned, hashes + 1)
    return pins


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_declared_dependency_is_pinned_within_its_range_with_hashes(lock):
    pins = _pins(lock)
    assert pins and all(hashes > 0 for _, hashes in pins.values()), "every pin needs its sha256 hashes"
    for declared in LOCKS[lock]:
        requirement = Requirement(declared)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock} does not pin {requirement.name}: refresh it (README, Dependencies)"
        assert requirement.specifier.contains(pins[name][0]), f"{lock}: {name}=={pins[name][0]} is outside {declared}"


def test_the_installed_releases_are_the_locked_ones():
    pins = _pins("requirements-dev.txt")
    for declared in LOCKS["requirements-dev.txt"]:
        name = canonicalize_name(Requirement(declared).name)
        assert version(name) == pins[name][0], f"installed {name} differs from the lock: reinstall from the README"


def test_the_local_leaflet_is_the_version_folium_loads():
    # folium's templates and plugins are written for the Leaflet it loads from its CDN; the dashboard serves the
    # same version from XStatic-Leaflet. When folium moves to another Leaflet, this fails: bump XStatic-Leaflet.
    leaflet_urls = [url for name, url in folium.Map.default_js if name == "leaflet"]
    assert leaflet_urls and f"leaflet@{LEAFLET_VERSION}/" in leaflet_urls[0]
