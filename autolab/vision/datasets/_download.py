"""Fetching dataset files: mirrors, a progress bar, md5 checks and safe tar extraction.

Nothing here unpickles or executes anything it downloads; archives are read member by member and only
regular files with expected names are written.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import time
import zlib
from collections.abc import Iterable, Sequence

from ._root import data_root

MIRROR_ENV = "AUTOLAB_DATA_MIRROR"
ROOT_ENV = "AUTOLAB_DATA"
_CHUNK = 1 << 20
# How long a download may take (docs/reliability.md): no single read waits longer than READ_TIMEOUT, the
# transfer averages at least MIN_RATE bytes/s over every RATE_WINDOW, and a file takes at most DEADLINE.
# A mirror that breaks one of these is abandoned for the next. CIFAR-10 (163 MB) at MIN_RATE takes 45 min.
READ_TIMEOUT = 30.0
MIN_RATE = 64 * 1024
RATE_WINDOW = 30.0
DEADLINE = 3600.0


class DownloadError(RuntimeError):
    """A file could not be fetched or failed verification; the message says what to do."""


class UnsafeArchiveError(RuntimeError):
    """An archive holds a member that would escape the target folder, a link, or a device."""


def default_root() -> str:
    """Where datasets live by default: ``$AUTOLAB_DATA``, else a ``shared/data`` copy beside the source checkout,
    else ``$XDG_CACHE_HOME/autolab/data`` (``~/.cache/autolab/data``). See ``_root.data_root``, which the doctor,
    the notebooks and the tests share."""
    return str(data_root().path)


def mirror_urls(mirrors: Sequence[str], dataset_dir: str, filename: str) -> list[str]:
    """URLs to try for ``filename``. ``$AUTOLAB_DATA_MIRROR`` replaces the official mirrors and serves
    ``<mirror>/<dataset_dir>/<filename>`` (for example ``<mirror>/MNIST/train-images-idx3-ubyte.gz``)."""
    env = os.environ.get(MIRROR_ENV)
    if env:
        return [f"{env.rstrip('/')}/{dataset_dir}/{filename}"]
    return [m.rstrip("/") + "/" + filename for m in mirrors]


def md5sum(path: str) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def gunzip_md5(path: str) -> str | None:
    """md5 of a gzip file's decompressed content (None when it is not valid gzip)."""
    h = hashlib.md5()
    try:
        with gzip.open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                h.update(chunk)
    except (OSError, EOFError, zlib.error):  # not gzip, truncated, or a corrupt deflate stream
        return None
    return h.hexdigest()


def file_verified(path: str, md5: str | None, raw_md5: str | None = None) -> bool:
    """True when ``path`` exists and has the expected md5 (or, for a re-compressed .gz, the expected
    md5 of its decompressed content)."""
    if not os.path.isfile(path):
        return False
    if md5 is None or md5sum(path) == md5:
        return True
    return raw_md5 is not None and gunzip_md5(path) == raw_md5


def _stream(url: str, part: str, desc: str) -> None:
    # lazy: only downloads need them, and urllib.request (like tqdm) is slow to import.
    import http.client
    import urllib.request

    from tqdm.auto import tqdm

    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=READ_TIMEOUT) as resp, open(part, "wb") as out:
            total = int(resp.headers.get("Content-Length") or 0) or None
            written, window = 0, (started, 0)
            with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc, leave=False) as bar:
                # read1: whatever has arrived (at most READ_TIMEOUT of waiting), so the limits below are checked
                # even against a server that trickles a byte at a time
                while chunk := resp.read1(_CHUNK):
                    out.write(chunk)
                    written += len(chunk)
                    bar.update(len(chunk))
                    window = _check_pace(started, window, written)
    except (http.client.HTTPException, ValueError) as e:  # a broken response, or a malformed URL
        raise DownloadError(f"{type(e).__name__}: {e}") from e
    if total is not None and written != total:
        raise DownloadError(f"the connection closed after {written} of {total} bytes (truncated download)")


def _check_pace(started: float, window: tuple[float, int], written: int) -> tuple[float, int]:
    """Raise DownloadError when the transfer is past its deadline or too slow; returns the current rate window."""
    now = time.monotonic()
    if now - started > DEADLINE:
        raise DownloadError(f"gave up after {now - started:.0f} s (the limit for one file is {DEADLINE:.0f} s)")
    since, at = window
    if now - since < RATE_WINDOW:
        return window
    rate = (written - at) / (now - since)
    if rate < MIN_RATE:
        raise DownloadError(
            f"too slow: {written - at} bytes in the last {now - since:.1f} s ({rate:.0f} B/s, under the minimum "
            f"of {MIN_RATE} B/s)"
        )
    return now, written


def download_file(
    urls: Sequence[str], path: str, md5: str | None, raw_md5: str | None = None, how_to: str = ""
) -> None:
    """Fetch the first of ``urls`` that works into ``path`` and check its md5.

    The bytes go to ``path + '.part'`` and are renamed only once verified, so an interrupted or corrupt
    download never looks like a good file; a bad one is deleted and the next mirror is tried.
    """
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    part = path + ".part"
    name = os.path.basename(path)
    problems = []
    for url in urls:
        try:
            _stream(url, part, name)
            if file_verified(part, md5, raw_md5):
                os.replace(part, path)
                return
            problems.append(
                f"{url}: md5 mismatch, expected {md5} but got {md5sum(part)} (corrupt or partial); deleted it"
            )
        except (OSError, DownloadError) as e:  # URLError, HTTPError and timeouts are OSErrors
            problems.append(f"{url}: {e}")
        finally:  # also on Ctrl-C: never leave a partial file behind
            _remove(part)
    lines = "\n  ".join(problems)
    raise DownloadError(f"Could not download {name} to {path}:\n  {lines}\n{how_to}".rstrip())


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def copy_verified(src: str, path: str, md5: str | None, raw_md5: str | None = None) -> None:
    """Install a local copy of a file, checking it exactly like a download."""
    if not file_verified(src, md5, raw_md5):
        raise DownloadError(f"{src} does not have the expected md5 {md5}; not copying it")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    shutil.copyfile(src, path + ".part")
    os.replace(path + ".part", path)


def safe_extract_tar(archive: str, dest: str, expected: Iterable[str]) -> list[str]:
    """Extract the regular-file members named in ``expected`` from ``archive`` into ``dest``.

    Refuses (``UnsafeArchiveError``) an archive with an absolute or ``..`` path, a link, or a device; skips
    other unexpected members. Returns the names extracted.
    """
    import tarfile  # lazy: only extraction needs it

    expected = set(expected)
    dest_real = os.path.realpath(dest)
    try:
        return _extract(tarfile.open(archive, "r:*"), archive, dest, dest_real, expected)
    except (tarfile.TarError, zlib.error, EOFError) as e:  # a damaged archive: say which, not just "invalid block"
        raise DownloadError(f"{archive} is damaged ({type(e).__name__}: {e}); delete it and download it again") from e


def _extract(tar, archive: str, dest: str, dest_real: str, expected: set[str]) -> list[str]:
    with tar:
        members = tar.getmembers()
        for m in members:
            target = os.path.realpath(os.path.join(dest_real, m.name))
            inside = target == dest_real or target.startswith(dest_real + os.sep)
            if os.path.isabs(m.name) or ".." in m.name.replace("\\", "/").split("/") or not inside:
                raise UnsafeArchiveError(f"{archive}: member {m.name!r} points outside {dest}; refusing it")
            if m.issym() or m.islnk() or m.isdev() or m.isfifo():
                raise UnsafeArchiveError(f"{archive}: member {m.name!r} is a link or device; refusing it")
        done = []
        for m in members:
            if m.name not in expected or not m.isfile():
                continue
            target = os.path.join(dest_real, m.name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            src = tar.extractfile(m)
            try:
                with open(target + ".part", "wb") as out:
                    shutil.copyfileobj(src, out, _CHUNK)
                os.replace(target + ".part", target)
            finally:
                _remove(target + ".part")
            done.append(m.name)
    return done
