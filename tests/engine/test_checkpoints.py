"""autolab.save / autolab.load under fuzzing: exact round trips, damaged and hostile files, permissions, links.

The promise (docs/reliability.md): ``load`` returns exactly what ``save`` stored, or raises
``autolab.CheckpointError`` (a RuntimeError, as PyTorch raises for a damaged zip, and a ValueError, as autolab
raised before) whose message names the file. It never allocates more than the limit, and never runs code.
"""

from __future__ import annotations

import io
import json
import math
import os
import signal
import subprocess
import sys
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autolab
from autolab import nn, serialization
from autolab.serialization import CheckpointError

REPO = Path(__file__).resolve().parents[2]
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TENSOR_DTYPES = [np.float16, np.float32, np.float64, np.uint8, np.int8, np.int16, np.int32, np.int64, np.bool_]
ARRAY_DTYPES = [*TENSOR_DTYPES, np.uint16, np.uint32, np.uint64, np.complex64, np.complex128]
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


# ---- what equal means: same types, same dtypes, same shapes, same bits ---------------------------------------
def assert_same(a, b, where="obj"):
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, autolab.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert a.requires_grad == b.requires_grad, where
        assert a._data.tobytes() == b._data.tobytes(), where
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes(), where
        assert b.flags.writeable, where
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b, where
        if isinstance(a, float):
            assert math.copysign(1, a) == math.copysign(1, b), where  # -0.0 stays -0.0


@st.composite
def tensors(draw):
    dtype = draw(st.sampled_from(TENSOR_DTYPES))
    arr = draw(hnp.arrays(dtype, SHAPES))
    t = autolab.from_numpy(arr.copy())
    floating = np.dtype(dtype).kind == "f"
    kind = draw(st.sampled_from(["plain", "grad", "parameter"] if floating else ["plain"]))
    if kind == "parameter":
        return nn.Parameter(t, requires_grad=draw(st.booleans()))
    return t.requires_grad_(kind == "grad")


leaves = st.one_of(
    tensors(),
    hnp.arrays(st.sampled_from(ARRAY_DTYPES), SHAPES),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
keys = st.one_of(st.text(max_size=6), st.integers(-5, 5), st.tuples(st.integers(0, 3), st.text(max_size=2)))
structures = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(keys, inner, max_size=4),
        st.dictionaries(st.text(max_size=6), inner, max_size=4).map(OrderedDict),
    ),
    max_leaves=12,
)


def saved_bytes(obj) -> bytes:
    buf = io.BytesIO()
    autolab.save(obj, buf)
    return buf.getvalue()


# ---- round trips ---------------------------------------------------------------------------------------------
def test_zero_dim_tensors_keep_their_shape_and_batchnorm_reloads(tmp_path):
    bn = nn.BatchNorm2d(4)
    bn(autolab.randn(2, 4, 3, 3))
    path = tmp_path / "bn.pt"
    autolab.save({"bn": bn.state_dict(), "scalar": autolab.tensor(2.5), "a0": np.array(7)}, path)
    back = autolab.load(path)
    assert back["bn"]["num_batches_tracked"].shape == () and back["scalar"].shape == ()
    assert back["a0"].shape == () and back["a0"].item() == 7
    other = nn.BatchNorm2d(4)
    other.load_state_dict(back["bn"])
    assert other.num_batches_tracked.item() == 1
    np.testing.assert_array_equal(other.running_mean.numpy(), bn.running_mean.numpy())


@FUZZ
@given(structures)
def test_fuzzed_structures_round_trip_exactly(obj):
    back = autolab.load(io.BytesIO(saved_bytes(obj)))
    assert_same(obj, back)


@FUZZ
@given(structures, st.data())
def test_damaged_files_load_exactly_or_raise_one_error_naming_the_file(tmp_path_factory, obj, data):
    good = saved_bytes(obj)
    how = data.draw(st.sampled_from(["truncate", "flip", "flip-many"]))
    bad = bytearray(good)
    if how == "truncate":
        bad = bad[: data.draw(st.integers(0, len(good) - 1))]
    else:
        for _ in range(1 if how == "flip" else data.draw(st.integers(2, 8))):
            at = data.draw(st.integers(0, len(good) - 1))
            bad[at] ^= data.draw(st.integers(1, 255))
    path = tmp_path_factory.mktemp("damaged") / "model.pt"
    path.write_bytes(bytes(bad))
    try:
        back = autolab.load(path)
    except CheckpointError as e:
        assert str(path) in str(e)
    else:
        assert_same(obj, back)


def test_the_error_is_a_runtime_error_and_a_value_error(tmp_path):
    path = tmp_path / "junk.pt"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(RuntimeError, match="junk.pt"):
        autolab.load(path)
    with pytest.raises(ValueError, match="not an autolab checkpoint"):
        autolab.load(path)
    assert autolab.CheckpointError is CheckpointError


# ---- hostile files, written by hand --------------------------------------------------------------------------
def write_zip(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def npy(arr) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue()


def checkpoint(path, structure, arrays=(), compression=zipfile.ZIP_STORED):
    members = {"format": "autolab-checkpoint-v1", "structure.json": json.dumps(structure)}
    members.update({f"arrays/{i}.npy": a if isinstance(a, bytes) else npy(a) for i, a in enumerate(arrays)})
    return write_zip(path, members, compression)


def tensor_entry(i=0, **extra):
    return {"__tensor__": i, "requires_grad": False, "parameter": False, **extra}


HOSTILE = {
    "missing-array": (tensor_entry(3), [np.ones(2, np.float32)], "array 3"),
    "requires-grad-string": (tensor_entry(requires_grad="false"), [np.ones(2, np.float32)], "requires_grad"),
    "unknown-tag": ({"__evil__": 1}, [], "unknown entry"),
    "extra-key": (tensor_entry(code="import os"), [np.ones(2, np.float32)], "unexpected"),
    "dict-pairs-malformed": ({"__dict__": [[1, 2, 3]]}, [], "__dict__"),
    "unhashable-key": ({"__dict__": [[[1, 2], 3]]}, [], "key"),
    "float-not-special": ({"__float__": "1e5"}, [], "__float__"),
    "index-is-bool": (tensor_entry(True), [np.ones(2, np.float32)], "array"),
    "string-dtype": (tensor_entry(), [np.array(["a", "b"])], "dtype"),
    "structured-dtype": (tensor_entry(), [np.zeros(2, dtype=[("a", "f4"), ("b", "i4")])], "dtype"),
    "object-dtype-pickle": ({"__ndarray__": 0}, [np.array([{"x": 1}], dtype=object)], "dtype"),
    "uint16-tensor": (tensor_entry(), [np.ones(2, np.uint16)], "dtype"),
    "short-array-data": (tensor_entry(), [npy(np.ones(4, np.float32))[:-3]], "arrays/0.npy"),
    "huge-declared-shape": (tensor_entry(), [npy(np.ones(4, np.float32)).replace(b"(4,)", b"(4000000000,)")], "0.npy"),
    "not-npy": (tensor_entry(), [b"PK\x03\x04 surely not an array"], "0.npy"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_structures_and_members_raise_a_checkpoint_error(tmp_path, case):
    structure, arrays, match = HOSTILE[case]
    path = checkpoint(tmp_path / f"{case}.pt", structure, arrays)
    with pytest.raises(CheckpointError, match=match) as e:
        autolab.load(path)
    assert str(path) in str(e.value)


@pytest.mark.parametrize(
    "members",
    [
        {"format": b"\xff\xfe", "structure.json": "[]"},  # not utf-8
        {"format": "autolab-checkpoint-v1"},  # no structure
        {"format": "autolab-checkpoint-v1", "structure.json": "{not json"},
        {"format": "autolab-checkpoint-v1", "structure.json": "[" * 100_000 + "]" * 100_000},  # RecursionError
        {"format": "autolab-checkpoint-v1", "structure.json": b"\xff[]"},
    ],
    ids=["format-bytes", "no-structure", "bad-json", "deep-json", "json-not-utf8"],
)
def test_malformed_members_raise_a_checkpoint_error(tmp_path, members):
    path = write_zip(tmp_path / "m.pt", members)
    with pytest.raises(CheckpointError, match="m.pt"):
        autolab.load(path)


def test_a_deep_but_legal_structure_round_trips(tmp_path):
    obj: list = []
    for _ in range(200):
        obj = [obj]
    autolab.save(obj, tmp_path / "deep.pt")
    assert autolab.load(tmp_path / "deep.pt") == obj


def test_big_endian_and_fortran_arrays_load_as_native_c_arrays(tmp_path):
    a = np.arange(6, dtype=">f4").reshape(2, 3)
    f = np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3))
    path = checkpoint(tmp_path / "x.pt", [tensor_entry(0), tensor_entry(1)], [a, f])
    ta, tf = autolab.load(path)
    assert ta.dtype == autolab.float32 and ta.numpy().dtype.isnative and ta.numpy().flags.c_contiguous
    assert ta.tolist() == a.tolist() and tf.tolist() == f.tolist() and tf.numpy().flags.c_contiguous
    (ta * 2).sum().item()


# ---- limits on what a load may allocate -----------------------------------------------------------------------
def test_size_limit_is_checked_before_anything_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.pt"
    autolab.save({"w": autolab.zeros(1000, 1000)}, path)  # 4 MB
    with pytest.raises(CheckpointError, match=r"limit.*max_bytes") as e:
        autolab.load(path, max_bytes=1_000_000)
    assert str(path) in str(e.value)
    assert autolab.load(path, max_bytes=5_000_000)["w"].shape == (1000, 1000)
    assert autolab.load(path, max_bytes=math.inf)["w"].shape == (1000, 1000)
    monkeypatch.setenv("AUTOLAB_LOAD_MAX_BYTES", "1000000")
    with pytest.raises(CheckpointError, match="AUTOLAB_LOAD_MAX_BYTES"):
        autolab.load(path)


def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path):
    # 200 MB of zeros deflates to 200 KB: the member's declared size gives it away before any byte is inflated.
    zeros = np.zeros(50_000_000, np.float32)
    path = checkpoint(tmp_path / "bomb.pt", tensor_entry(), [zeros], compression=zipfile.ZIP_DEFLATED)
    del zeros
    assert path.stat().st_size < 1_000_000
    with pytest.raises(CheckpointError, match="compress"):
        autolab.load(path)


def test_the_default_limit_refuses_a_gigabyte(tmp_path):
    # A member whose central-directory entry claims 1 GiB: refused on the declared sizes, before reading it.
    path = checkpoint(tmp_path / "gig.pt", tensor_entry(), [np.ones(4, np.float32)])
    raw = bytearray(path.read_bytes())
    cd = raw.rfind(b"PK\x01\x02")  # the last central-directory entry: arrays/0.npy
    raw[cd + 24 : cd + 28] = (2**30).to_bytes(4, "little")  # its uncompressed size
    path.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="over the limit.*default of 1 GiB"):
        autolab.load(path)
    with pytest.raises(CheckpointError, match="gig.pt"):  # a lie all the same: the member is 144 bytes
        autolab.load(path, max_bytes=math.inf)


# ---- saving: permissions, links, temporary files -------------------------------------------------------------
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_saved_files_follow_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        autolab.save({"x": autolab.ones(2)}, tmp_path / "m.pt")
        with open(tmp_path / "ref", "wb"):  # what open() (and so torch.save) gives
            pass
    finally:
        os.umask(old)
    assert (tmp_path / "m.pt").stat().st_mode & 0o777 == (tmp_path / "ref").stat().st_mode & 0o777 == 0o666 & ~umask


def test_overwriting_keeps_the_existing_files_permissions(tmp_path):
    path = tmp_path / "m.pt"
    autolab.save({"x": autolab.ones(2)}, path)
    path.chmod(0o640)
    autolab.save({"x": autolab.zeros(2)}, path)
    assert path.stat().st_mode & 0o777 == 0o640 and autolab.load(path)["x"].tolist() == [0.0, 0.0]


def test_saving_through_a_symlink_writes_its_target(tmp_path):
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "epoch3.pt"
    autolab.save({"x": autolab.ones(2)}, target)
    link = tmp_path / "latest.pt"
    link.symlink_to(target)
    autolab.save({"x": autolab.zeros(3)}, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert autolab.load(target)["x"].tolist() == [0.0, 0.0, 0.0]
    dangling = tmp_path / "dangling.pt"
    dangling.symlink_to(tmp_path / "runs" / "new.pt")
    autolab.save({"x": autolab.ones(1)}, dangling)  # like open(): creates the target
    assert dangling.is_symlink() and autolab.load(tmp_path / "runs" / "new.pt")["x"].tolist() == [1.0]


KILLED_SAVE = """
import os, signal, sys
import autolab, autolab.serialization as s
real = s._write
def dying(obj, f):
    f.write(b"x" * 100_000)
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)
s._write = dying
autolab.save({"x": autolab.ones(2)}, sys.argv[1])
"""


def temps(folder):
    return sorted(p.name for p in folder.iterdir() if p.name != "m.pt" and p.name.startswith("."))


def test_a_killed_save_leaves_the_old_file_and_the_next_save_removes_its_temp(tmp_path):
    path = tmp_path / "m.pt"
    autolab.save({"x": autolab.ones(2)}, path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for _ in range(3):
        r = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path)], env=env, capture_output=True)
        assert r.returncode == -signal.SIGKILL, r.stderr
        assert len(temps(tmp_path)) == 1  # each killed save leaves its temp; the next save removes it
    assert autolab.load(path)["x"].tolist() == [1.0, 1.0]  # the old checkpoint is whole
    # A temp of a process that is still alive (another save in progress) is never touched.
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        busy = serialization._temp_name("m.pt", alive.pid)
        (tmp_path / busy).write_bytes(b"in progress")
        autolab.save({"x": autolab.zeros(2)}, path)
        assert temps(tmp_path) == [busy]
    finally:
        alive.kill()
        alive.wait()
    assert autolab.load(path)["x"].tolist() == [0.0, 0.0]


def test_a_failed_save_leaves_no_temp_and_the_old_file(tmp_path):
    path = tmp_path / "m.pt"
    autolab.save({"w": autolab.ones(3)}, path)
    with pytest.raises(TypeError, match="state_dict"):
        autolab.save({"w": autolab.zeros(3), "model": nn.Linear(2, 2)}, path)
    with pytest.raises(TypeError, match="dtype"):
        autolab.save({"s": np.array(["text"])}, path)
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]
    assert autolab.load(path)["w"].tolist() == [1.0, 1.0, 1.0]
