"""``autolab.save`` / ``autolab.load``: checkpoints that never run code when loaded.

PyTorch's ``.pt`` files are pickles, and unpickling a file can run arbitrary code. An autolab file is a zip
archive holding ``structure.json`` (dicts, lists, numbers, strings) and one ``.npy`` file per tensor (the
format is in ``_checkpoint_format.py``). What the promises are, and how they are tested: docs/reliability.md.

- Saving is atomic: the bytes go to a temporary file beside the target, are flushed to disk, and the
  temporary file is renamed over the target, so a crash mid-save leaves the previous checkpoint whole. A save
  killed outright leaves its temporary file behind; the next save into that folder removes it.
- A new file gets the permissions ``open()`` would give it (the umask applies); an existing file keeps its
  own. Saving through a symbolic link writes the file it points to, as ``open()`` (and ``torch.save``) do.
- Loading returns exactly what was saved, or raises ``CheckpointError`` naming the file. It refuses to
  allocate more than ``max_bytes`` (default 1 GiB, or ``$AUTOLAB_LOAD_MAX_BYTES``) and never unpickles.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import socket
import stat
import zipfile
from typing import Any, BinaryIO

import numpy as np

from ._checkpoint_format import FORMAT, CheckpointError, Corrupt, array_refs, decode, encode, npy_header, read_array

__all__ = ["save", "load", "CheckpointError", "DEFAULT_MAX_BYTES"]

DEFAULT_MAX_BYTES = 1 << 30
MAX_BYTES_ENV = "AUTOLAB_LOAD_MAX_BYTES"
# A member may inflate to at most this many times its compressed size. autolab stores members uncompressed;
# real weights deflate by ~1.1x, while a few KB of deflated zeros can claim gigabytes (a "zip bomb").
MAX_COMPRESSION_RATIO = 100
_ARRAY_MEMBER = re.compile(r"arrays/(\d+)\.npy")


# ---- saving -------------------------------------------------------------------------------------------------
def _write(obj: Any, f: BinaryIO) -> None:
    arrays: list[np.ndarray] = []
    structure = encode(obj, arrays)
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("format", FORMAT)
        z.writestr("structure.json", json.dumps(structure))
        for i, a in enumerate(arrays):
            # streamed into the archive: no extra copy of the array in memory
            with z.open(f"arrays/{i}.npy", "w", force_zip64=a.nbytes > 1 << 30) as out:
                np.lib.format.write_array(out, a, allow_pickle=False)


def save(obj: Any, f: str | os.PathLike | BinaryIO, **_compat: Any) -> None:
    """Save tensors, state dicts, or nested dicts/lists/tuples of them, atomically.

    >>> model = nn.Linear(2, 1)
    >>> autolab.save({"model": model.state_dict(), "epoch": 3}, "checkpoint.pt")
    >>> autolab.load("checkpoint.pt")["epoch"]
    3
    """
    if hasattr(f, "write"):
        _write(obj, f)  # type: ignore[arg-type]
        return
    path = os.path.realpath(os.fspath(f))  # through symbolic links, like open(): the link stays a link
    directory, name = os.path.split(path)
    _remove_stale_temps(directory)
    tmp = os.path.join(directory, _temp_name(name, os.getpid()))
    # O_EXCL with mode 0o666: the process umask applies, exactly as for open(path, "wb")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                existing = stat.S_IMODE(os.stat(path).st_mode)
            except FileNotFoundError:
                existing = None
            if existing is not None and hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), existing)  # overwriting keeps the file's permissions, as open() does
            _write(obj, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)  # atomic on POSIX and Windows: readers see the old file or the new one
    except BaseException:
        _remove(tmp)
        raise
    _fsync_directory(directory)


_HOST = re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname()) or "host"
_TEMP = re.compile(r"\..+\.(?P<host>[A-Za-z0-9_-]+)\.(?P<pid>\d+)\.[0-9a-f]+\.autolab-tmp")


def _temp_name(name: str, pid: int) -> str:
    """``.<target>.<host>.<pid>.<random>.autolab-tmp``: hidden, and says which process may still write it."""
    return f".{name}.{_HOST}.{pid}.{secrets.token_hex(4)}.autolab-tmp"


def _remove_stale_temps(directory: str) -> None:
    """Delete temporary files of saves on this machine whose process is gone (killed mid-save).

    Never touches a file of a process that is still running (another save in progress), nor one written from
    another machine sharing the folder: their process ids mean nothing here.
    """
    if os.name != "posix":
        return  # os.kill(pid, 0) terminates the process on Windows
    try:
        entries = [e.name for e in os.scandir(directory) if e.name.endswith(".autolab-tmp")]
    except OSError:
        return
    for entry in entries:
        m = _TEMP.fullmatch(entry)
        if m is None or m["host"] != _HOST:
            continue
        try:
            os.kill(int(m["pid"]), 0)
        except ProcessLookupError:
            _remove(os.path.join(directory, entry))
        except (PermissionError, OverflowError):
            pass  # alive, owned by someone else; or not a real pid


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX); without it a power cut can bring the old file back."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---- loading ------------------------------------------------------------------------------------------------
def load(
    f: str | os.PathLike | BinaryIO,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    max_bytes: float | None = None,
    **_compat: Any,
) -> Any:
    """Load what ``autolab.save`` wrote. No code runs: only JSON and raw arrays are read.

    Raises ``CheckpointError`` (a RuntimeError and a ValueError) naming the file when it is damaged, not an
    autolab checkpoint, or would take more than ``max_bytes`` of memory: by default ``$AUTOLAB_LOAD_MAX_BYTES``
    or 1 GiB; pass ``max_bytes=math.inf`` for a file you trust. A missing file raises ``FileNotFoundError``.
    ``map_location``, ``pickle_module``, ``weights_only`` and ``mmap`` are accepted for PyTorch compatibility.
    """
    limit, source = _limit(max_bytes)
    if hasattr(f, "read"):
        return _load(f, str(getattr(f, "name", "<file object>")), limit, source)
    path = os.fspath(f)
    with open(path, "rb") as fh:  # a missing or unreadable file raises what open() raises
        return _load(fh, str(path), limit, source)


def _limit(max_bytes: float | None) -> tuple[float, str]:
    if max_bytes is not None:
        value, source = max_bytes, f"max_bytes={max_bytes}"
    elif os.environ.get(MAX_BYTES_ENV):
        value, source = os.environ[MAX_BYTES_ENV], f"{MAX_BYTES_ENV}={os.environ[MAX_BYTES_ENV]}"
    else:
        return float(DEFAULT_MAX_BYTES), f"the default of {DEFAULT_MAX_BYTES >> 30} GiB"
    try:
        limit = float(value)
    except (TypeError, ValueError):
        limit = math.nan
    if isinstance(value, bool) or math.isnan(limit) or limit < 0:
        raise ValueError(f"the load size limit ({source}) must be a number of bytes >= 0 (math.inf for none)")
    return limit, source


def _load(f: Any, name: str, limit: float, source: str) -> Any:
    try:
        return _read(f, name, limit, source)
    except CheckpointError:
        raise
    except Corrupt as e:
        raise CheckpointError(f"autolab.load: '{name}' is a damaged autolab checkpoint: {e}") from None
    except MemoryError:
        raise
    except Exception as e:  # zipfile, json and numpy each have their own ways of saying "damaged"
        raise CheckpointError(
            f"autolab.load: '{name}' is damaged or not an autolab checkpoint ({type(e).__name__}: {e})"
        ) from e


def _read(f: Any, name: str, limit: float, source: str) -> Any:
    try:
        z = zipfile.ZipFile(f)
    except zipfile.BadZipFile:
        raise CheckpointError(f"autolab.load: '{name}' is not an autolab checkpoint (not a zip archive)") from None
    with z:
        infos = z.infolist()
        members = {i.filename: i for i in infos}
        if len(members) != len(infos):
            raise Corrupt("a member name appears twice")
        fmt = members.get("format")
        if fmt is None or fmt.file_size > 64 or z.read(fmt) != FORMAT.encode():
            if any(n.endswith("data.pkl") for n in members):
                raise CheckpointError(
                    f"autolab.load: '{name}' is a PyTorch pickle checkpoint. autolab never unpickles "
                    "(it could run code); re-save it from PyTorch as tensors, or use autolab.save."
                )
            raise CheckpointError(f"autolab.load: '{name}' is not an autolab checkpoint")
        if "structure.json" not in members:
            raise Corrupt("structure.json is missing")
        wanted = [i for n, i in members.items() if n == "structure.json" or _ARRAY_MEMBER.fullmatch(n)]
        _check_sizes(name, wanted, limit, source)
        if members["structure.json"].file_size > limit / 16:  # parsed JSON takes ~10x its size in objects
            raise CheckpointError(
                f"autolab.load: '{name}': its structure.json of {members['structure.json'].file_size} bytes is over "
                f"1/16 of the limit ({source}); pass max_bytes= to autolab.load (or set {MAX_BYTES_ENV}) if you "
                "trust the file"
            )
        structure = json.loads(z.read("structure.json"))
        arrays = {}
        for i, is_tensor in array_refs(structure).items():
            info = members.get(f"arrays/{i}.npy")
            if info is None:
                raise Corrupt(f"array {i} is missing (no arrays/{i}.npy)")
            with z.open(info) as stream:
                try:
                    header = npy_header(stream, info.file_size, is_tensor)
                    arrays[i] = read_array(stream, *header)
                except Corrupt as e:
                    raise Corrupt(f"arrays/{i}.npy: {e}") from None
        return decode(structure, arrays)


def _check_sizes(name: str, infos: list[zipfile.ZipInfo], limit: float, source: str) -> None:
    """Refuse, from the sizes the archive declares and before reading a byte, what would take too much memory."""
    for info in infos:
        if info.compress_type != zipfile.ZIP_STORED and info.file_size > MAX_COMPRESSION_RATIO * info.compress_size:
            raise CheckpointError(
                f"autolab.load: '{name}': member {info.filename} would inflate from {info.compress_size} to "
                f"{info.file_size} bytes, over {MAX_COMPRESSION_RATIO}x its compressed size (a zip bomb?); "
                "autolab writes uncompressed members"
            )
    total = sum(info.file_size for info in infos)
    if total > limit:
        raise CheckpointError(
            f"autolab.load: '{name}' would take {total:,} bytes of memory, over the limit of "
            f"{limit:,.0f} bytes ({source}). If you trust the file, pass max_bytes= to autolab.load "
            f"(math.inf for no limit) or set {MAX_BYTES_ENV}."
        )
