# Sourced by binder/postBuild (build time) and binder/start (every container start), so both agree on where
# the data and the numba cache live. Everything is overridable from the environment.

# The datasets live where autolab looks by default (~/.cache/autolab/data), baked into the Binder image
# by postBuild so nobody waits for a download. Set explicitly so the notebooks and the doctor agree.
export AUTOLAB_DATA="${AUTOLAB_DATA:-$HOME/.cache/autolab/data}"

# One numba cache for the image, written by postBuild and read by every kernel afterwards.
export NUMBA_CACHE_DIR="${NUMBA_CACHE_DIR:-$HOME/.cache/autolab/numba}"

# Binder containers get 1-2 CPUs of a node that may have 64: numba, OpenMP and OpenBLAS would each start
# one thread per node core and fight over the quota. Size the pools to the cgroup's CPU quota instead.
autolab_cpu_quota() {
    local n quota period
    n="$(nproc 2>/dev/null || echo 1)"
    if [ -r /sys/fs/cgroup/cpu.max ]; then                       # cgroup v2: "max 100000" or "200000 100000"
        read -r quota period < /sys/fs/cgroup/cpu.max
    elif [ -r /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then         # cgroup v1
        quota="$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)"
        period="$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
    fi
    if [ -n "${quota:-}" ] && [ "$quota" != "max" ] && [ "$quota" -gt 0 ] 2>/dev/null; then
        local q=$(( (quota + period - 1) / period ))
        [ "$q" -lt "$n" ] && n="$q"
    fi
    [ "$n" -lt 1 ] && n=1
    echo "$n"
}
AUTOLAB_CPUS="$(autolab_cpu_quota)"
export NUMBA_NUM_THREADS="${NUMBA_NUM_THREADS:-$AUTOLAB_CPUS}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$AUTOLAB_CPUS}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-$AUTOLAB_CPUS}"
