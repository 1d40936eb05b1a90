"""The MongoDB-wire server for machines without Docker: FerretDB 1.x (SQLite backend), built with Go."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from outreach_devstack import processes
from outreach_devstack.paths import cache_dir, repo_root, state_dir

NAME = "ferretdb"
HOST = "127.0.0.1"
PORT = 27017


MODULE = "github.com/FerretDB/FerretDB"
VERSION = "v1.24.2"  # the version our diffs are made against (go.mod requires it, go.sum pins its hash)
# Our own changes to FerretDB, as unified diffs against VERSION (the README says why and what each buys)
PATCHES = (
    "sqlite-id-expression.patch",
    "sqlite-id-pushdown.patch",
    "insert-batch-size.patch",
    "resource-untracked.patch",
    "filter-in-strings.patch",
    "projection-empty.patch",
    "sjson-decode.patch",
)


class PatchError(RuntimeError):
    """The FerretDB module is not the version our diffs are for, or a diff no longer applies."""


def source_dir() -> Path:
    """The Go program and its patches."""
    return repo_root() / "deploy" / "local" / "ferretdb"


def binary() -> Path:
    """Path of our FerretDB program in the cache, named by a hash of its sources (a changed patch rebuilds)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in source_dir().rglob("*") if p.is_file()):
        digest.update(path.relative_to(source_dir()).as_posix().encode() + b"\0" + path.read_bytes())
    return cache_dir() / "ferretdb" / f"ferretdb-{digest.hexdigest()[:12]}"


def install() -> Path:
    """Build the small Go program under `deploy/local/ferretdb` with our diffs (once per source version).

    The module is checked first: its version must be VERSION and its files must match go.sum's hash
    (`go mod verify`). Go refuses changes to files in its module cache, so the module is copied next to the
    binary, each diff is checked (`git apply --check`) and applied to the copy, and the build uses a go.mod
    that replaces the module with that copy (the program's own go.mod stays untouched). Anything that does
    not fit stops the build with PatchError: upstream moved, and the diffs need a look."""
    target = binary()
    if target.exists():
        return target
    work = target.parent / f"{target.name}-build"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    source = source_dir()
    env = {**os.environ, "CGO_ENABLED": os.environ.get("CGO_ENABLED", "0")}
    subprocess.run(["go", "mod", "download", MODULE], cwd=source, env=env, check=True)
    listed = subprocess.run(
        ["go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", MODULE],
        cwd=source,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    folder, version = listed.stdout.split()
    if version != VERSION:
        raise PatchError(f"{MODULE} is {version}; our diffs are made against {VERSION}")
    verified = subprocess.run(["go", "mod", "verify"], cwd=source, env=env, capture_output=True, text=True)
    if verified.returncode != 0:
        raise PatchError(f"{MODULE} {VERSION} does not match go.sum: {verified.stdout}{verified.stderr}")
    module = work / "FerretDB"
    shutil.copytree(folder, module)
    for path in module.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)  # the module cache is read-only
    # the copy lies inside our own work tree (.cache): keep git from taking it for part of that repository
    outside = {**env, "GIT_CEILING_DIRECTORIES": str(work)}
    for name in PATCHES:
        diff = str(source / "patches" / name)
        checked = subprocess.run(
            ["git", "apply", "--check", diff], cwd=module, env=outside, capture_output=True, text=True
        )
        if checked.returncode != 0:
            raise PatchError(f"{name} does not apply to {MODULE} {VERSION}: {checked.stderr.strip()}")
        subprocess.run(["git", "apply", diff], cwd=module, env=outside, check=True)
    modfile = work / "go.mod"
    modfile.write_text((source / "go.mod").read_text() + f"\nreplace {MODULE} => {module}\n")
    shutil.copyfile(source / "go.sum", work / "go.sum")
    build = ["go", "build", "-trimpath", f"-modfile={modfile}", "-o", str(target), "."]
    subprocess.run(build, cwd=source, env=env, check=True)
    shutil.rmtree(work, ignore_errors=True)
    return target


def url(port: int = PORT) -> str:
    """Connection string of the local server."""
    return f"mongodb://{HOST}:{port}/"


def start(*, port: int = PORT, timeout: float = 60.0) -> str:
    """Build if needed, start FerretDB with its data in the state folder, and wait for `ping`."""
    mongo_url = url(port)
    if processes.claim_port(NAME, port):  # ours already (a server someone else runs there is refused)
        processes.wait_until(NAME, lambda: is_ready(mongo_url), timeout=timeout)
        return mongo_url
    exe = install()
    data = state_dir() / "ferretdb"
    data.mkdir(parents=True, exist_ok=True)
    processes.start(NAME, [str(exe), "-listen", f"{HOST}:{port}", "-data", str(data)])
    processes.wait_until(NAME, lambda: is_ready(mongo_url), timeout=timeout)
    return mongo_url


def stop() -> bool:
    """Stop the local server."""
    return processes.stop(NAME)


def is_ready(mongo_url: str) -> bool:
    """True when the server answers `ping`."""
    client: MongoClient[dict[str, object]] = MongoClient(mongo_url, serverSelectionTimeoutMS=1000)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()
