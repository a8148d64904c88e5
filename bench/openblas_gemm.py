#!/usr/bin/python3
"""The OpenBLAS column of `polyak-bench gemm`: times cblas_sgemm on the shapes the suite asks for, in this process,
so Polyak's and OpenBLAS's numbers come from the same run on the same cores.

Protocol (one request per line on stdin, one answer per line on stdout):
  first answer: "blas <path of the loaded BLAS library> <openblas_get_config() or '-'>"
  request:  "TA TB M N K THREADS SECONDS LDA LDB LDC"   (TA, TB: 0 or 1; row-major, C = op(A) * op(B) with those
            row strides, best of repeated calls)
  answer:   "GFLOPS" as a float, or "error <message>"
Needs Debian's libopenblas0-openmp (or any libblas.so.3 exporting cblas_sgemm); numpy only allocates the arrays.
"""
import ctypes
import os
import sys
import time

import numpy as np

CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS = 101, 111, 112


def load_blas():
    lib = ctypes.CDLL("libblas.so.3")
    lib.cblas_sgemm.restype = None
    path = "?"
    with open("/proc/self/maps") as maps:
        for line in maps:
            if "libblas.so.3" in line:
                path = line.split()[-1]
                break
    config = "-"
    if hasattr(lib, "openblas_get_config"):
        lib.openblas_get_config.restype = ctypes.c_char_p
        config = lib.openblas_get_config().decode()
    return lib, os.path.realpath(path), config


def main():
    lib, path, config = load_blas()
    set_threads = getattr(lib, "openblas_set_num_threads", None)
    print(f"blas {path} {config.replace(' ', '_')}", flush=True)
    fp = ctypes.POINTER(ctypes.c_float)
    for line in sys.stdin:
        try:
            ta, tb, m, n, k, threads = (int(x) for x in line.split()[:6])
            seconds = float(line.split()[6])
            lda, ldb, ldc = (int(x) for x in line.split()[7:10])
            if set_threads is not None:
                set_threads(threads)
            rng = np.random.default_rng(1)
            a = rng.random((k if ta else m) * lda, dtype=np.float32)
            b = rng.random((n if tb else k) * ldb, dtype=np.float32)
            c = np.zeros(m * ldc, dtype=np.float32)
            args = (CBLAS_ROW_MAJOR, CBLAS_TRANS if ta else CBLAS_NO_TRANS, CBLAS_TRANS if tb else CBLAS_NO_TRANS,
                    m, n, k, ctypes.c_float(1.0), a.ctypes.data_as(fp), lda, b.ctypes.data_as(fp), ldb,
                    ctypes.c_float(0.0), c.ctypes.data_as(fp), ldc)
            for _ in range(3):
                lib.cblas_sgemm(*args)
            best, reps, start = float("inf"), 0, time.perf_counter()
            while time.perf_counter() - start < seconds or reps < 3:
                t0 = time.perf_counter()
                lib.cblas_sgemm(*args)
                best = min(best, time.perf_counter() - t0)
                reps += 1
            print(f"{2.0 * m * n * k / best / 1e9:.3f}", flush=True)
        except Exception as ex:  # one bad request must not end the column
            print(f"error {type(ex).__name__}: {ex}".replace("\n", " "), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
