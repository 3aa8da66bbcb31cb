"""Where numba keeps compiled code, and which thread pool runs the parallel kernels.

Both must be settled before numba compiles (or loads) the first kernel, so ``autolab.kernels`` calls
``configure()`` at import. It only touches environment variables and, if numba is already imported, its
config object: it never imports numba itself, so ``import autolab`` stays cheap.

Compiled-code cache
    ``$NUMBA_CACHE_DIR`` if the user set it (CI sets it to a directory that persists within a run), else
    ``$XDG_CACHE_HOME/autolab/numba`` (by default ``~/.cache/autolab/numba``), else, if that cannot be
    created, ``<tempdir>/autolab-numba-<user>``. numba's own default, ``__pycache__`` beside the source,
    fails when the package is installed read-only (site-packages, a shared course image). numba keys each
    entry by the source file's path and modification time, so two checkouts never share stale code.

Threading plan
    numba's pool owns the cores. The threading layer is ``omp`` when available (1.6 us to start a
    parallel region, against about 90 us for ``workqueue``). OpenBLAS keeps its default thread count but is
    only called for matrix products below its multithreading threshold (M*N*K < 262144), where it runs on
    the calling thread and its worker pool never wakes: numba and OpenBLAS threads spinning against each
    other on two cores made alternating kernels 3 to 14 times slower.

    How numba's OpenMP workers wait between kernels depends on the machine when the pool starts (unless
    the user set ``OMP_WAIT_POLICY``). On an idle machine they keep libgomp's default, a short spin before
    sleeping: a LeNet step is a chain of about 30 small parallel kernels, and waking sleeping workers for
    each one cost 9.0 ms a step against 6.5 ms spinning (2-core EPYC, batch 64). On a busy machine (other
    work used about a core or more during a 0.1 s sample when the pool starts) they wait passively:
    spinning workers that wait at a barrier for a descheduled sibling cost whole scheduler timeslices, and
    a LeNet step took 356 ms spinning against 29 ms passive at load 8.5. PyTorch's own OpenMP runtime is a separate library and keeps its
    default. Under a cgroup CPU quota (Binder, containers) numba uses no more threads than the quota allows.

Memory allocator
    A training step frees and reallocates the same few-megabyte activation and gradient arrays every time.
    glibc's malloc serves blocks above its (adaptive) mmap threshold with fresh ``mmap`` pages and gives
    freed heap tops back to the system, so every step page-faults its arrays in again: 1,490 page faults
    in a 12.7 ms LeNet step (batch 64, 60 steps, counted with ``getrusage``). ``tune_malloc()`` (called
    when the kernels start) raises the mmap threshold to 32 MB and keeps up to 128 MB of freed memory in
    the heap: the same steps then make 0-2 page faults and take 9.3 ms. Peak RSS is unchanged;
    only memory that was already in use stays mapped. Set ``AUTOLAB_MALLOC_TUNE=0`` to keep glibc's
    defaults. It does nothing on other C libraries.
"""

import functools
import os
import sys
import tempfile
import time

OPENBLAS_SINGLE_THREAD_MNK = 262_144  # OpenBLAS runs gemm on one thread below 4 * 65536 multiply-adds


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "autolab", "numba")


def _writable(path: str) -> bool:
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK | os.X_OK)


def cache_dir() -> str:
    """The directory numba caches compiled kernels in (created if needed)."""
    user = os.environ.get("NUMBA_CACHE_DIR")
    if user:
        return user
    path = default_cache_dir()
    if not _writable(path):
        try:
            who = str(os.getuid())
        except AttributeError:  # Windows
            who = os.environ.get("USERNAME", "user")
        path = os.path.join(tempfile.gettempdir(), f"autolab-numba-{who}")
        os.makedirs(path, exist_ok=True)
    return path


MALLOC_SETTINGS = {  # glibc mallopt parameter numbers (malloc.h) and our values
    "M_MMAP_THRESHOLD": (-3, 32 << 20),
    "M_TRIM_THRESHOLD": (-1, 128 << 20),
}


@functools.cache
def tune_malloc() -> bool:
    """Keep activation-sized blocks in glibc's heap between training steps (see the module docstring).

    Returns True if the settings were applied. Only the first call does anything.
    """
    if os.environ.get("AUTOLAB_MALLOC_TUNE", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes  # lazy: only this Linux-only tuning needs it

        libc = ctypes.CDLL("libc.so.6")
        return all(libc.mallopt(param, value) == 1 for param, value in MALLOC_SETTINGS.values())
    except (OSError, AttributeError):  # musl and others: no mallopt, nothing to tune
        return False


def usable_cores(cgroup: str = "/sys/fs/cgroup") -> int:
    """CPUs this process may use: its affinity mask, capped by a cgroup CPU quota (Binder, Docker)."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    v2, v1 = os.path.join(cgroup, "cpu.max"), os.path.join(cgroup, "cpu", "cpu.cfs_quota_us")
    try:
        if os.path.exists(v2):  # cgroup v2: "max 100000" or "150000 100000"
            with open(v2) as f:
                quota, period = f.read().split()[:2]
        else:  # cgroup v1: -1 means no quota
            with open(v1) as f, open(os.path.join(cgroup, "cpu", "cpu.cfs_period_us")) as g:
                quota, period = f.read().strip(), g.read().strip()
        if quota not in ("max", "-1"):
            n = min(n, max(1, -(-int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return n


BUSY_CORES = 0.75  # other work using this much CPU (about one busy process) makes the machine "busy"


def _cpu_times(path: str = "/proc/stat") -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot, from the first line of /proc/stat."""
    with open(path) as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait; steal counts as busy
    total = sum(fields[:8])  # guest time is already inside user
    return total - idle, total


def busy_cores(sample_s: float = 0.1, path: str = "/proc/stat") -> float:
    """How many cores' worth of CPU the whole machine used during a short sample (this process idles)."""
    b0, t0 = _cpu_times(path)
    time.sleep(sample_s)
    b1, t1 = _cpu_times(path)
    cpus = os.cpu_count() or 1
    return cpus * (b1 - b0) / max(1, t1 - t0)


def machine_is_busy() -> bool:
    """True when other work already keeps about a core busy (sampled for 0.1 s when the kernels start).

    A 0.1 s sample rather than the load average: the load average still counts work that finished a minute
    ago (a training run in a kernel that was just restarted), and then every later step would pay for
    passive waits.
    """
    try:
        return busy_cores() >= BUSY_CORES
    except (OSError, ValueError, IndexError):  # no /proc/stat (macOS, Windows): assume a personal machine
        return False


def start_numba_threads() -> str:
    """Start numba's thread pool with the wait policy of the module docstring; returns the policy.

    libgomp reads ``OMP_WAIT_POLICY`` once, when it is loaded, which happens when numba launches its pool;
    the variable is removed again afterwards so that other OpenMP runtimes loaded later keep their default.
    """
    import numba.np.ufunc.parallel as parallel  # lazy: numba takes 0.25 s to import

    policy = os.environ.get("OMP_WAIT_POLICY")
    chosen = policy is not None
    if not chosen:
        policy = "PASSIVE" if machine_is_busy() else "default"
        if policy == "PASSIVE":
            os.environ["OMP_WAIT_POLICY"] = policy
    try:
        parallel._launch_threads()
    except Exception:  # numba internals moved: the pool then starts on the first kernel
        pass
    finally:
        if not chosen:
            os.environ.pop("OMP_WAIT_POLICY", None)
    return policy


def configure() -> str:
    """Point numba's cache at ``cache_dir()`` and prefer the omp threading layer. Returns the cache dir."""
    path = cache_dir()
    os.environ["NUMBA_CACHE_DIR"] = path
    os.environ.setdefault("NUMBA_THREADING_LAYER_PRIORITY", "omp tbb workqueue")
    numba = sys.modules.get("numba")
    cores = usable_cores()
    if numba is None and "NUMBA_NUM_THREADS" not in os.environ and cores < (os.cpu_count() or cores):
        os.environ["NUMBA_NUM_THREADS"] = str(cores)  # a CPU quota: one thread per core we may use
    if numba is not None:  # numba was imported first: its config already read the environment
        numba.config.CACHE_DIR = path
        numba.config.THREADING_LAYER_PRIORITY = os.environ["NUMBA_THREADING_LAYER_PRIORITY"].split()
    return path
