"""``autograd-nlp info``: versions, BLAS, and the GPU (if CuPy sees one), for
bug reports and for reading benchmark numbers in context."""
import importlib.metadata
import platform
import sys


def add_parser(sub):
    p = sub.add_parser("info", help="versions, BLAS and the available devices")
    p.set_defaults(run=run)


def _version(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def blas_lines():
    """NumPy's BLAS: from threadpoolctl (library, threads) when installed,
    else from NumPy's build configuration."""
    try:
        from threadpoolctl import threadpool_info
        libs = [f"{i.get('internal_api')} {i.get('version') or ''} "
                f"({i.get('num_threads')} threads, {i.get('filepath')})"
                for i in threadpool_info() if i.get("user_api") == "blas"]
        if libs:
            return libs
    except ImportError:
        pass
    import numpy as np
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return [f"{blas.get('name')} {blas.get('version', '')} (from numpy's build "
                f"configuration; pip install threadpoolctl for thread counts)"]
    except Exception:   # noqa: BLE001 - old NumPy: no dict mode
        return ["unknown (numpy.show_config() prints the build configuration)"]


def device_lines():
    """The GPU CuPy sees, with its memory, or why there is none."""
    try:
        import cupy
    except ImportError:
        return ["cuda: not available (CuPy is not installed; install e.g. cupy-cuda12x)"]
    try:
        runtime = cupy.cuda.runtime
        count = runtime.getDeviceCount()
        lines = [f"cuda: CuPy {cupy.__version__}, CUDA runtime {runtime.runtimeGetVersion()}, "
                 f"driver {runtime.driverGetVersion()}, {count} device(s)"]
        for k in range(count):
            props = runtime.getDeviceProperties(k)
            name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
            with cupy.cuda.Device(k):
                free, total = runtime.memGetInfo()
            lines.append(f"  cuda:{k} {name}: {total / 2**30:.1f} GiB memory, "
                         f"{free / 2**30:.1f} GiB free, compute capability "
                         f"{props['major']}.{props['minor']}")
        return lines
    except Exception as e:   # noqa: BLE001 - no driver / no device: report, do not fail
        return [f"cuda: not available ({type(e).__name__}: {e})"]


def run(args):
    import numpy as np

    from autograd_nlp import __version__
    print(f"autograd_nlp {__version__}")
    print(f"Python {sys.version.split()[0]} ({platform.platform()})")
    print(f"NumPy {np.__version__}")
    for line in blas_lines():
        print(f"  BLAS: {line}")
    from autograd_nlp import threads
    count = threads.thread_count()
    print(f"  LSTM layers: a batch's rows on {count} thread{'s' if count > 1 else ''} "
          f"(AUTOGRAD_NLP_THREADS; docs/training.md)")
    for package in ("cupy", "torch"):
        found = next((v for v in (_version(package), _version(f"{package}-cuda13x"),
                                  _version(f"{package}-cuda12x")) if v), None)
        print(f"{package}: {found or 'not installed'}")
    print("devices: cpu")
    for line in device_lines():
        print(line)
    return 0
