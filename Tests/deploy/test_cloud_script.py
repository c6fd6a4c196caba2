"""scripts/cloud's helpers and its checks before it touches a cluster: the
repository URL ArgoCD clones (from SSH and HTTPS remotes), the image registry,
"is cluster.env pushed", "are there images", and `just images` end to end with
a stand-in builder that records what it is asked to do."""
import os
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT


def helper(function, *args, env=None, cwd=ROOT):
    """Runs one function of scripts/cloud (sourced, so nothing else runs)."""
    command = f'source "{ROOT}/scripts/cloud"; {function} "$@"'
    return subprocess.run(["bash", "-c", command, "cloud", *args], capture_output=True, text=True, cwd=cwd,
                          env=dict(os.environ, **(env or {})), timeout=60)


@pytest.mark.parametrize("remote,expected", [
    ("git@gitlab.com:me/x.git", "https://gitlab.com/me/x.git"),
    ("git@gitlab.com:group/sub/x.git", "https://gitlab.com/group/sub/x.git"),
    ("gitlab.com:me/x.git", "https://gitlab.com/me/x.git"),
    ("ssh://git@gitlab.com/me/x.git", "https://gitlab.com/me/x.git"),
    ("ssh://git@gitlab.example.com:2222/me/x.git", "https://gitlab.example.com/me/x.git"),
    ("git+ssh://git@github.com/Me/X", "https://github.com/Me/X"),
    ("https://gitlab.com/me/x.git", "https://gitlab.com/me/x.git"),
    ("https://oauth2:glpat-secret@gitlab.com/me/x.git", "https://gitlab.com/me/x.git"),
    ("https://me@gitlab.example.com:8443/me/x.git", "https://gitlab.example.com:8443/me/x.git"),
])
def test_remote_becomes_the_https_url_argocd_clones(remote, expected):
    result = helper("https_url_of", remote)
    assert result.returncode == 0 and result.stdout.strip() == expected, (remote, result.stdout, result.stderr)


@pytest.mark.parametrize("remote", ["/srv/git/x.git", "./relative/x.git", "file:///srv/git/x.git", "https://gitlab.com", ""])
def test_a_remote_argocd_cannot_clone_is_refused(remote):
    result = helper("https_url_of", remote)
    assert result.returncode != 0 and not result.stdout, (remote, result.stdout)


@pytest.mark.parametrize("url,expected", [
    ("https://gitlab.com/Me/Chat.git", "registry.gitlab.com/me/chat"),
    ("https://gitlab.com/group/sub/chat", "registry.gitlab.com/group/sub/chat"),
    ("https://github.com/Me/Chat.git", "ghcr.io/me/chat"),
])
def test_images_go_to_the_repository_hosts_registry(url, expected):
    result = helper("registry_of", url)
    assert result.returncode == 0 and result.stdout.strip() == expected


def test_an_unknown_host_needs_a_named_registry():
    assert helper("registry_of", "https://git.example.com/me/x.git").returncode != 0
    result = helper("registry_of", "https://git.example.com/me/x.git", env={"MICROCHAT_REGISTRY": "registry.example.com/team/x/"})
    assert result.stdout.strip() == "registry.example.com/team/x"


def git(cwd, *args):
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                            env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
                                     GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com"))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def checkout(tmp_path):
    """A clone of a bare 'origin' holding what scripts/cloud reads: settings, the app kustomization, the Dockerfile."""
    origin = tmp_path / "origin.git"
    work = tmp_path / "work"
    for relative in ("scripts/cloud", "scripts/set-image-tags", "k8s-manifests/settings/cluster.env",
                     "k8s-manifests/app/kustomization.yaml", "Dockerfile", "Package.swift"):
        (work / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, work / relative)
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "start")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    return work


def cloud_in(work, function, env=None):
    command = f'source "{work}/scripts/cloud"; {function}'
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=work, env=dict(os.environ, **(env or {})), timeout=120)


def test_configure_refuses_settings_argocd_cannot_see(checkout):
    settings = checkout / "k8s-manifests/settings/cluster.env"
    assert cloud_in(checkout, "need_pushed k8s-manifests/settings/cluster.env").returncode == 0
    settings.write_text(settings.read_text().replace("microchat.34-0-0-1.sslip.io", "chat.example.org"))
    result = cloud_in(checkout, "need_pushed k8s-manifests/settings/cluster.env")
    assert result.returncode == 2 and "differs from origin/main" in result.stderr
    git(checkout, "commit", "-qam", "settings")  # committed, still not pushed
    result = cloud_in(checkout, "need_pushed k8s-manifests/settings/cluster.env")
    assert result.returncode == 2 and "commit and push" in result.stderr
    git(checkout, "push", "-q", "origin", "main")
    assert cloud_in(checkout, "need_pushed k8s-manifests/settings/cluster.env").returncode == 0


def test_configure_refuses_a_tree_without_images(checkout):
    result = cloud_in(checkout, "need_built_images")
    assert result.returncode == 2 and "just images" in result.stderr
    kustomization = checkout / "k8s-manifests/app/kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace('"unbuilt"', '"0123abcd"'))
    assert cloud_in(checkout, "need_built_images").returncode == 0


def test_just_images_builds_pushes_and_moves_the_tags(checkout, tmp_path):
    git(checkout, "remote", "set-url", "origin", "git@gitlab.com:Team/MicroChat.git")
    log = tmp_path / "builder.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "podman").write_text(f'#!/bin/sh\necho "podman $*" >> "{log}"\n')
    (bin_dir / "podman").chmod(0o755)
    for name in ("bash", "git", "python3", "sed", "head", "cat", "dirname", "tr", "grep", "env", "mktemp", "rm"):
        found = shutil.which(name)
        if found:
            (bin_dir / name).symlink_to(found)
    result = cloud_in(checkout, 'main images', env={"PATH": str(bin_dir)})
    assert result.returncode == 0, result.stdout + result.stderr
    tag = git(checkout, "rev-parse", "--short=12", "HEAD")
    calls = log.read_text().splitlines()
    for service in ("user-service", "chat-service", "ui-service"):
        image = f"registry.gitlab.com/team/microchat/{service}:{tag}"
        assert f"podman build --target {service} -t {image} -f {checkout}/Dockerfile {checkout}" in calls
        assert f"podman push {image}" in calls
        assert calls.index(f"podman push {image}") > calls.index(f"podman build --target {service} -t {image} -f {checkout}/Dockerfile {checkout}")
    images = yaml.safe_load((checkout / "k8s-manifests/app/kustomization.yaml").read_text())["images"]
    assert {(i["newName"], i["newTag"]) for i in images} == {
        (f"registry.gitlab.com/team/microchat/{s}", tag) for s in ("user-service", "chat-service", "ui-service")}
    assert cloud_in(checkout, "need_built_images").returncode == 0
    # Uncommitted source changes would make images that match no commit.
    (checkout / "Dockerfile").write_text("FROM scratch\n")
    result = cloud_in(checkout, 'main images', env={"PATH": str(bin_dir)})
    assert result.returncode == 2 and "commit them first" in result.stderr


def test_just_images_says_when_there_is_no_builder(checkout, tmp_path):
    bin_dir = tmp_path / "empty-bin"
    bin_dir.mkdir()
    for name in ("bash", "git"):
        (bin_dir / name).symlink_to(shutil.which(name))
    result = cloud_in(checkout, "main images", env={"PATH": str(bin_dir)})
    assert result.returncode == 2 and "Docker" in result.stderr and "Podman" in result.stderr
