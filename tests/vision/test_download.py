"""download=True against a local HTTP server: good, corrupted, truncated and malicious archives."""

import gzip
import hashlib
import io
import socket
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from autolab.vision.datasets import CIFAR10, MNIST, DownloadError, FashionMNIST, UnsafeArchiveError, _download, fetch

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
BIN = "cifar-10-batches-bin"


class Server:
    """Serves ``files`` (path -> bytes) on 127.0.0.1; paths in ``truncate`` get half their bytes, paths in
    ``trickle`` get ``(n, seconds)``: n bytes every so many seconds."""

    def __init__(self):
        self.files, self.truncate, self.trickle, self.requests = {}, set(), {}, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.path in server.trickle:
                    n, seconds = server.trickle[self.path]
                    for i in range(0, len(body), n):
                        time.sleep(seconds)
                        self.wfile.write(body[i : i + n])
                        self.wfile.flush()
                    return
                self.wfile.write(body[: len(body) // 2] if self.path in server.truncate else body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(autouse=True)
def tiny_cifar(monkeypatch):
    """The archives here hold 3 records per batch file instead of 10,000."""
    monkeypatch.setattr(CIFAR10, "records_per_file", 3)


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/"


def tiny_cifar_files(records=3):
    rng = np.random.default_rng(0)
    files = {"batches.meta.txt": ("\n".join(CLASSES) + "\n\n").encode(), "readme.html": b"<html></html>"}
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        rec = rng.integers(0, 256, (records, 3073), dtype=np.uint8)
        rec[:, 0] %= 10
        files[name] = rec.tobytes()
    return files


def make_tar(members, extra=()):
    """A .tar.gz of {name: bytes} under cifar-10-batches-bin/, plus raw TarInfo ``extra`` members."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        d = tarfile.TarInfo(BIN)
        d.type = tarfile.DIRTYPE
        tar.addfile(d)
        for name, data in members.items():
            info = tarfile.TarInfo(f"{BIN}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info, data in extra:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def md5(data):
    return hashlib.md5(data).hexdigest()


def serve_cifar(server, monkeypatch, archive, mirrors=None):
    server.files["/cifar-10-binary.tar.gz"] = archive
    monkeypatch.setattr(CIFAR10, "md5", md5(archive))
    monkeypatch.setattr(CIFAR10, "mirrors", mirrors or [server.url + "/"])
    monkeypatch.delenv("AUTOLAB_DATA_MIRROR", raising=False)


def test_good_archive_is_fetched_verified_extracted_and_not_fetched_again(server, monkeypatch, tmp_path):
    files = tiny_cifar_files()
    serve_cifar(server, monkeypatch, make_tar(files, [(tarfile.TarInfo(f"{BIN}/extra.py"), None)]))
    ds = CIFAR10(root=str(tmp_path), download=True)
    assert ds.classes == CLASSES and len(ds) == 15
    rec = np.frombuffer(files["data_batch_2.bin"], np.uint8).reshape(3, 3073)
    np.testing.assert_array_equal(ds[4][0], rec[1, 1:].reshape(3, 32, 32).transpose(1, 2, 0))
    assert ds[4][1] == rec[1, 0]
    assert server.requests == ["/cifar-10-binary.tar.gz"]
    assert not (tmp_path / BIN / "extra.py").exists()  # unexpected members are not extracted
    CIFAR10(root=str(tmp_path), train=False, download=True)
    assert len(server.requests) == 1  # already there: no second fetch
    for f in (tmp_path / BIN).iterdir():
        f.unlink()
    CIFAR10(root=str(tmp_path), download=True)
    assert len(server.requests) == 1  # the verified archive is extracted again, not re-downloaded


def test_mirror_env_var_replaces_the_mirrors(server, monkeypatch, tmp_path):
    archive = make_tar(tiny_cifar_files())
    serve_cifar(server, monkeypatch, archive, mirrors=[closed_port_url()])
    server.files["/cifar-10/cifar-10-binary.tar.gz"] = archive
    monkeypatch.setenv("AUTOLAB_DATA_MIRROR", server.url)
    assert len(CIFAR10(root=str(tmp_path), download=True)) == 15
    assert server.requests == ["/cifar-10/cifar-10-binary.tar.gz"]


def test_corrupted_archive_is_deleted_with_a_clear_message(server, monkeypatch, tmp_path):
    archive = make_tar(tiny_cifar_files())
    serve_cifar(server, monkeypatch, archive)
    bad = bytearray(archive)
    bad[100] ^= 0xFF
    server.files["/cifar-10-binary.tar.gz"] = bytes(bad)
    with pytest.raises(DownloadError, match=f"md5 mismatch, expected {md5(archive)} but got {md5(bytes(bad))}"):
        CIFAR10(root=str(tmp_path), download=True)
    assert list(tmp_path.iterdir()) == []


def test_truncated_download_is_deleted_and_the_next_mirror_tried(server, monkeypatch, tmp_path):
    serve_cifar(server, monkeypatch, make_tar(tiny_cifar_files()))
    server.truncate.add("/cifar-10-binary.tar.gz")
    with pytest.raises(DownloadError, match="truncated"):
        CIFAR10(root=str(tmp_path), download=True)
    assert list(tmp_path.iterdir()) == []
    server.files["/good/cifar-10-binary.tar.gz"] = server.files["/cifar-10-binary.tar.gz"]
    monkeypatch.setattr(CIFAR10, "mirrors", [server.url + "/", server.url + "/good/"])
    assert len(CIFAR10(root=str(tmp_path), download=True)) == 15
    assert server.requests[-2:] == ["/cifar-10-binary.tar.gz", "/good/cifar-10-binary.tar.gz"]


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink", "hardlink"])
def test_malicious_members_are_refused(server, monkeypatch, tmp_path, kind):
    root = tmp_path / "root"
    if kind == "dotdot":
        info, data = tarfile.TarInfo(f"{BIN}/../../evil.txt"), b"pwned"
    elif kind == "absolute":
        info, data = tarfile.TarInfo(str(tmp_path / "evil.txt")), b"pwned"
    else:
        info, data = tarfile.TarInfo(f"{BIN}/data_batch_1.bin"), None
        info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
        info.linkname = str(tmp_path / "evil.txt")
    if data is not None:
        info.size = len(data)
    files = tiny_cifar_files()
    del files["data_batch_1.bin"]
    serve_cifar(server, monkeypatch, make_tar(files, [(info, data)]))
    with pytest.raises(UnsafeArchiveError, match="refusing"):
        CIFAR10(root=str(root), download=True)
    assert not (tmp_path / "evil.txt").exists()
    assert not (root / "cifar-10-binary.tar.gz").exists() and not (root / BIN).exists()


def test_offline_error_names_the_urls_and_what_to_do(monkeypatch, tmp_path):
    url = closed_port_url()
    monkeypatch.setattr(CIFAR10, "mirrors", [url])
    monkeypatch.delenv("AUTOLAB_DATA_MIRROR", raising=False)
    with pytest.raises(DownloadError) as e:
        CIFAR10(root=str(tmp_path), download=True)
    assert url + "cifar-10-binary.tar.gz" in str(e.value) and "AUTOLAB_DATA_MIRROR" in str(e.value)
    assert list(tmp_path.iterdir()) == []


def idx(array, magic_ndim):
    header = bytes([0, 0, 8, magic_ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def tiny_mnist(n=4):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    raw = {"images": idx(images, 3), "labels": idx(labels, 1)}
    return (
        images,
        labels,
        {
            f"{split}-{kind}-idx{3 if kind == 'images' else 1}-ubyte.gz": raw[kind]
            for split in ("train", "t10k")
            for kind in ("images", "labels")
        },
    )


@pytest.mark.parametrize("cls", [MNIST, FashionMNIST])
def test_mnist_download_with_md5_or_content_md5(server, monkeypatch, tmp_path, cls):
    images, labels, raw = tiny_mnist()
    gz = {name: gzip.compress(data, mtime=0) for name, data in raw.items()}
    recompressed = gzip.compress(raw["train-images-idx3-ubyte.gz"], compresslevel=1, mtime=0)
    for name in gz:
        server.files[f"/{cls.dataset_dir}/{name}"] = recompressed if name.startswith("train-images") else gz[name]
    monkeypatch.setattr(cls, "resources", [(name, md5(data)) for name, data in gz.items()])
    # The served train-images .gz differs from the listed md5, but its content matches raw_md5.
    monkeypatch.setattr(cls, "raw_md5", {"train-images-idx3-ubyte.gz": md5(raw["train-images-idx3-ubyte.gz"])})
    monkeypatch.setenv("AUTOLAB_DATA_MIRROR", server.url + "/")
    ds = cls(root=str(tmp_path), download=True)
    assert len(ds) == 4 and np.array_equal(ds[2][0], images[2]) and ds[2][1] == labels[2]
    assert sorted(server.requests) == sorted(f"/{cls.dataset_dir}/{name}" for name in gz)
    assert (tmp_path / cls.dataset_dir / "raw" / "t10k-labels-idx1-ubyte.gz").is_file()
    cls(root=str(tmp_path), train=False, download=True)
    assert len(server.requests) == 4
    monkeypatch.setattr(cls, "raw_md5", {})
    (tmp_path / cls.dataset_dir / "raw" / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DownloadError, match="md5 mismatch"):
        cls(root=str(tmp_path), download=True)


def test_fetch_installs_from_a_local_copy_and_from_a_mirror(server, monkeypatch, tmp_path, capsys):
    images, labels, raw = tiny_mnist()
    src = tmp_path / "src"
    (src / "MNIST" / "raw").mkdir(parents=True)
    (src / BIN).mkdir()
    for name, data in raw.items():
        (src / "MNIST" / "raw" / name).write_bytes(gzip.compress(data))
    for name, data in tiny_cifar_files().items():
        (src / BIN / name).write_bytes(data)
    monkeypatch.setattr(MNIST, "resources", [(name, "0" * 32) for name in raw])
    monkeypatch.setattr(MNIST, "raw_md5", {name: md5(data) for name, data in raw.items()})
    dest = tmp_path / "dest"
    assert fetch.main(["--root", str(dest), "--from", str(src), "cifar10", "mnist"]) == 0
    assert len(CIFAR10(root=str(dest / "cifar-10"))) == 15 and len(MNIST(root=str(dest))) == 4
    assert fetch.main(["--root", str(dest), "--from", str(src)]) == 0
    assert "already in" in capsys.readouterr().out
    # A mirror works too, and a source lacking the files is a clean error.
    archive = make_tar(tiny_cifar_files())
    serve_cifar(server, monkeypatch, archive)
    server.files["/cifar-10/cifar-10-binary.tar.gz"] = archive
    assert fetch.main(["--root", str(tmp_path / "other"), "--from", server.url, "cifar10"]) == 0
    assert fetch.main(["--root", str(tmp_path / "third"), "--from", str(tmp_path / "nothing"), "mnist"]) == 1
    assert "not found" in capsys.readouterr().err


@pytest.mark.data
def test_fetch_from_the_shared_copy_verifies_mnist_by_content(shared_data, tmp_path):
    fetch.install(["mnist"], str(tmp_path), str(shared_data))
    assert len(MNIST(root=str(tmp_path), train=False)) == 10000


# ---- issue 12: damaged streams, slow servers, short copies -----------------------------------------------------
def corrupt_deflate(gz: bytes) -> bytes:
    """The same gzip header, with the deflate stream inside it broken."""
    bad = bytearray(gz)
    for at in range(12, min(len(bad) - 8, 40)):
        bad[at] ^= 0xA5
    return bytes(bad)


def serve_mnist(server, monkeypatch, mirrors):
    images, labels, raw = tiny_mnist()
    gz = {name: gzip.compress(data, mtime=0) for name, data in raw.items()}
    monkeypatch.setattr(MNIST, "resources", [(name, md5(data)) for name, data in gz.items()])
    monkeypatch.setattr(MNIST, "raw_md5", {name: md5(data) for name, data in raw.items()})
    monkeypatch.setattr(MNIST, "mirrors", [f"{server.url}/{m}/" for m in mirrors])
    monkeypatch.delenv("AUTOLAB_DATA_MIRROR", raising=False)
    for m in mirrors:
        for name, data in gz.items():
            server.files[f"/{m}/{name}"] = data
    return gz


def test_a_corrupt_deflate_stream_is_deleted_and_the_next_mirror_tried(server, monkeypatch, tmp_path, capsys):
    gz = serve_mnist(server, monkeypatch, ["bad", "good"])
    server.files["/bad/train-images-idx3-ubyte.gz"] = corrupt_deflate(gz["train-images-idx3-ubyte.gz"])
    ds = MNIST(root=str(tmp_path), download=True)
    assert len(ds) == 4
    assert (
        "/bad/train-images-idx3-ubyte.gz" in server.requests and "/good/train-images-idx3-ubyte.gz" in server.requests
    )
    assert not list(tmp_path.rglob("*.part"))
    # Only the corrupt mirror: a DownloadError naming the file, no .part, and the fetch command says so.
    monkeypatch.setattr(MNIST, "mirrors", [server.url + "/bad/"])
    raw = tmp_path / "other"
    with pytest.raises(DownloadError, match="train-images-idx3-ubyte.gz.*md5 mismatch"):
        MNIST(root=str(raw), download=True)
    assert not list(raw.rglob("*.part"))
    assert fetch.main(["--root", str(tmp_path / "third"), "mnist"]) == 1
    err = capsys.readouterr().err
    assert (
        "\nerror: Could not download train-images-idx3-ubyte.gz" in "\n" + err.split("\r")[-1] and "md5 mismatch" in err
    )


def test_a_trickling_server_is_abandoned_for_the_next_mirror(server, monkeypatch, tmp_path):
    gz = serve_mnist(server, monkeypatch, ["slow", "good"])
    server.trickle["/slow/train-images-idx3-ubyte.gz"] = (1, 0.05)  # 20 bytes/s, forever for this file
    monkeypatch.setattr(_download, "MIN_RATE", 1000)
    monkeypatch.setattr(_download, "RATE_WINDOW", 0.3)
    started = time.monotonic()
    assert len(MNIST(root=str(tmp_path), download=True)) == 4
    assert time.monotonic() - started < 5 and "/good/train-images-idx3-ubyte.gz" in server.requests
    assert not list(tmp_path.rglob("*.part"))
    monkeypatch.setattr(MNIST, "mirrors", [server.url + "/slow/"])
    with pytest.raises(
        DownloadError, match=r"too slow: \d+ bytes in the last 0\.\d s .* under the minimum of 1000 B/s"
    ):
        MNIST(root=str(tmp_path / "again"), download=True)
    assert len(gz["train-images-idx3-ubyte.gz"]) > 100  # so the trickle could not have finished


def test_an_overall_deadline_bounds_a_steady_but_endless_download(server, monkeypatch, tmp_path):
    serve_mnist(server, monkeypatch, ["steady"])
    server.files["/steady/train-images-idx3-ubyte.gz"] = bytes(200_000)
    server.trickle["/steady/train-images-idx3-ubyte.gz"] = (200, 0.01)  # 20 KB/s: fast enough, never done
    monkeypatch.setattr(_download, "MIN_RATE", 1000)
    monkeypatch.setattr(_download, "RATE_WINDOW", 0.2)
    monkeypatch.setattr(_download, "DEADLINE", 0.6)
    with pytest.raises(DownloadError, match=r"gave up after 1 s \(the limit for one file is 1 s\)"):
        MNIST(root=str(tmp_path), download=True)
    assert not list(tmp_path.rglob("*.part"))


def test_a_stalled_server_times_out(server, monkeypatch, tmp_path):
    serve_mnist(server, monkeypatch, ["stall"])
    server.trickle["/stall/train-images-idx3-ubyte.gz"] = (10**9, 2.0)  # headers, then 2 s of silence
    monkeypatch.setattr(_download, "READ_TIMEOUT", 0.3)
    with pytest.raises(DownloadError, match="timed out"):
        MNIST(root=str(tmp_path), download=True)
    assert not list(tmp_path.rglob("*.part"))


def test_a_copy_cut_on_a_record_boundary_is_refused(tmp_path, capsys):
    files = tiny_cifar_files()
    src = tmp_path / "src" / BIN
    src.mkdir(parents=True)
    for name, data in files.items():
        (src / name).write_bytes(data[: 2 * 3073] if name == "data_batch_4.bin" else data)  # 2 whole records of 3
    with pytest.raises(RuntimeError, match=r"data_batch_4.bin \(size 6,146 bytes, expected 9,219: 3 records"):
        CIFAR10(root=str(tmp_path / "src"))
    assert fetch.main(["--root", str(tmp_path / "dest"), "--from", str(tmp_path / "src"), "cifar10"]) == 1
    out = capsys.readouterr()
    assert "installed" not in out.out and "data_batch_4.bin (size 6,146 bytes" in out.err


def write_mnist(raw_folder, images, labels):
    raw_folder.mkdir(parents=True, exist_ok=True)
    for split in ("train", "t10k"):
        (raw_folder / f"{split}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx(images, 3)))
        (raw_folder / f"{split}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx(labels, 1)))


def test_mnist_refuses_labels_out_of_range_and_names_a_damaged_file(tmp_path):
    images, labels, _ = tiny_mnist()
    raw = tmp_path / "MNIST" / "raw"
    write_mnist(raw, images, np.array([1, 2, 10, 3], np.uint8))
    with pytest.raises(RuntimeError, match=r"train-labels-idx1-ubyte.gz: label 2 is 10, but there are 10 classes"):
        MNIST(root=str(tmp_path))
    write_mnist(raw, images, labels)
    path = raw / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(RuntimeError, match=f"{path} is damaged"):
        MNIST(root=str(tmp_path))
    path.write_bytes(corrupt_deflate(gzip.compress(idx(images, 3))))
    with pytest.raises(RuntimeError, match=f"{path} is damaged"):
        MNIST(root=str(tmp_path))
    assert len(MNIST(root=str(tmp_path), train=False)) == 4
