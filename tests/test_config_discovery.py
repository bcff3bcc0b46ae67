"""config.discovery: which .env a run reads when none is named.

In a git work tree: the current directory, then its parents up to the work tree's top. Outside
one: up to the home directory holding the current directory (never above it); elsewhere, the
current directory only."""

from __future__ import annotations

from pathlib import Path

import pytest

from greencli.config.discovery import nearest_env_file


@pytest.fixture
def home(tmp_path: Path) -> Path:
    made = tmp_path / "home" / "me"
    made.mkdir(parents=True)
    return made


def env(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".env").write_text("A=1\n")
    return directory / ".env"


def test_outside_a_work_tree_parents_up_to_the_home_directory_count(home: Path) -> None:
    deep = home / "bots" / "one" / "src"
    deep.mkdir(parents=True)
    assert nearest_env_file(deep, home) is None
    env(home.parent)  # above the home directory (another user's, or the system's)
    assert nearest_env_file(deep, home) is None
    found = env(home)
    assert nearest_env_file(deep, home) == found
    nearer = env(home / "bots" / "one")
    assert nearest_env_file(deep, home) == nearer
    assert nearest_env_file(home, home) == found


def test_in_a_work_tree_its_top_is_the_limit_even_inside_home(home: Path) -> None:
    env(home)
    project = home / "project"
    (project / ".git").mkdir(parents=True)
    (project / "sub").mkdir()
    assert nearest_env_file(project / "sub", home) is None
    top = env(project)
    assert nearest_env_file(project / "sub", home) == top


def test_outside_home_and_any_work_tree_only_the_current_directory(tmp_path: Path, home: Path) -> None:
    elsewhere = tmp_path / "srv" / "app"
    elsewhere.mkdir(parents=True)
    env(tmp_path / "srv")
    assert nearest_env_file(elsewhere, home) is None
    assert nearest_env_file(elsewhere, Path("/")) is None  # a home at the root is no limit at all
    here = env(elsewhere)
    assert nearest_env_file(elsewhere, home) == here


def test_a_home_reached_through_a_symlink_is_the_same_home(tmp_path: Path, home: Path) -> None:
    link = tmp_path / "home-link"
    link.symlink_to(home)
    (home / "bot").mkdir()
    found = env(home)
    assert nearest_env_file(home / "bot", link) == found
