"""doctor.fixes: a fix acts on exactly the file it planned for, in the repository holding it.

Between the plan (shown to the user) and the yes, the file or its directory may be swapped for
a symlink; git may have been pointed elsewhere by inherited variables; a file name may look
like pathspec magic. None of these may make a fix touch anything else.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from greencli.config import git as gitrepo
from greencli.config.file_identity import ChangedSincePlanned
from greencli.doctor.fixes import Fix, hygiene_fixes

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(directory: Path, *args: str) -> str:
    env = gitrepo.environment(literal=False)
    env.update({"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})
    return subprocess.run(["git", "-C", str(directory), *args], check=True, capture_output=True, text=True, env=env).stdout


def repository(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    return path


def tracked(directory: Path) -> list[str]:
    return git(directory, "ls-files", "-z").split("\0")[:-1]


def by_id(fixes: list[Fix]) -> dict[str, Fix]:
    return {fix.id: fix for fix in fixes}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def env_file(directory: Path, name: str = ".env", file_mode: int = 0o644) -> Path:
    path = directory / name
    path.write_text("GREEN_API_INSTANCE_ID=1101000001\n")
    path.chmod(file_mode)
    return path


def test_a_symlink_swapped_in_after_the_plan_is_not_followed(tmp_path: Path) -> None:
    project = repository(tmp_path / "project")
    target = env_file(project)
    chmod = by_id(hygiene_fixes(target))["env_permissions"]
    victim = env_file(tmp_path, "victim", 0o644)
    target.unlink()
    target.symlink_to(victim)
    with pytest.raises(ChangedSincePlanned):
        chmod.apply()
    assert mode(victim) == 0o644 and target.is_symlink()


def test_another_file_renamed_into_place_is_not_changed(tmp_path: Path) -> None:
    project = repository(tmp_path / "project")
    target = env_file(project)
    chmod = by_id(hygiene_fixes(target))["env_permissions"]
    other = env_file(project, "other", 0o644)
    other.replace(target)
    with pytest.raises(ChangedSincePlanned):
        chmod.apply()
    assert mode(target) == 0o644


def test_a_directory_swapped_for_a_link_is_not_followed(tmp_path: Path) -> None:
    project = repository(tmp_path / "project")
    (project / "sub").mkdir()
    target = env_file(project / "sub")
    fixes = by_id(hygiene_fixes(target))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = env_file(elsewhere, ".env", 0o644)
    (project / "sub").rename(project / "was-sub")
    (project / "sub").symlink_to(elsewhere)
    for fix in ("env_permissions", "env_ignored"):
        with pytest.raises(ChangedSincePlanned):
            fixes[fix].apply()
    assert mode(victim) == 0o644 and not (elsewhere / ".gitignore").exists()


def test_the_planned_file_is_changed_through_its_descriptor(tmp_path: Path) -> None:
    project = repository(tmp_path / "project")
    target = env_file(project)
    fixes = by_id(hygiene_fixes(target))
    assert set(fixes) == {"env_permissions", "env_ignored"}
    fixes["env_permissions"].apply()
    fixes["env_ignored"].apply()
    assert mode(target) == 0o600
    assert gitrepo.is_ignored(target) is True


def test_inherited_git_dir_and_work_tree_never_reach_another_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = repository(tmp_path / "other")
    env_file(other)
    git(other, "add", ".env")
    project = repository(tmp_path / "project")
    target = env_file(project)
    git(project, "add", ".env")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    assert gitrepo.work_tree(project) == project.resolve()
    untrack = by_id(hygiene_fixes(target))["env_untracked"]
    untrack.apply()
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_WORK_TREE")
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert tracked(other) == [".env"]
    assert tracked(project) == []


def test_a_name_that_looks_like_pathspec_magic_untracks_that_file_only(tmp_path: Path) -> None:
    project = repository(tmp_path / "project")
    env_file(project, "a.env")
    (project / "sub").mkdir()
    target = env_file(project / "sub", ":(top)a.env")
    git(project, "add", "--", "a.env", "sub/:(top)a.env")
    untrack = by_id(hygiene_fixes(target))["env_untracked"]
    untrack.apply()
    assert tracked(project) == ["a.env"]


def test_a_tracked_env_that_gitignore_already_lists_is_not_listed_again(tmp_path: Path) -> None:
    project = repository(tmp_path / "project")
    target = env_file(project, file_mode=0o600)
    (project / ".gitignore").write_text("/.env\n")
    git(project, "add", "-f", ".env")
    fixes = by_id(hygiene_fixes(target))
    assert set(fixes) == {"env_untracked"}
    fixes["env_untracked"].apply()
    assert gitrepo.is_ignored(target) is True
    assert (project / ".gitignore").read_text() == "/.env\n"


def test_a_gitignore_that_is_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    project = repository(tmp_path / "project")
    target = env_file(project, file_mode=0o600)
    os.mkfifo(project / ".gitignore")
    with pytest.raises(OSError, match="not a regular file"):
        gitrepo.ignore(target)


def test_a_gitignore_swapped_for_a_link_is_not_written_through(tmp_path: Path) -> None:
    project = repository(tmp_path / "project")
    target = env_file(project, file_mode=0o600)
    ignore = by_id(hygiene_fixes(target))["env_ignored"]
    outside = tmp_path / "outside"
    outside.write_text("# someone else's\n")
    (project / ".gitignore").symlink_to(outside)
    with pytest.raises(OSError, match="symlink"):
        ignore.apply()
    assert outside.read_text() == "# someone else's\n"


def test_doctor_s_hint_for_a_tracked_listed_env_does_not_add_the_line_again(tmp_path: Path) -> None:
    from greencli.doctor.checks.hygiene import check_hygiene

    project = repository(tmp_path / "project")
    target = env_file(project, file_mode=0o600)
    git(project, "add", ".env")
    assert check_hygiene(target, None, project).hint == "git rm --cached .env && echo /.env >> .gitignore, commit, then rotate the token: greencli token rotate"
    (project / ".gitignore").write_text("/.env\n")
    assert check_hygiene(target, None, project).hint == "git rm --cached .env, commit, then rotate the token: greencli token rotate"
