#!/usr/bin/env bash
# One short run on a CUDA machine that has CuPy and PyTorch preinstalled and no
# network (about 7 minutes at most): versions and the GPU, the CuPy tests, ms per
# training iteration of every chapter model (ours on CuPy, with and without the
# fused kernels, PyTorch with cuDNN and, prepared, the book's own CuPy code, same
# GPU), the LSTM product A/B, and, given a PTB folder, a short BetterRnnlm run's
# perplexity and time per epoch.
#
#   benchmarks/gpu_check.sh [--ptb DIR] [--device cuda|cpu] [--quick]
#   benchmarks/gpu_check.sh --device cpu --quick      # dry run of every part, no GPU
#
# DIR holds ptb.train.txt and ptb.valid.txt (or ptb/ptb.*.txt); by default the
# copy that benchmarks/gpu_check_prepare.sh puts in runs/gpu_check/ (with pytest,
# for a machine whose Python lacks it). The project is used from this working
# tree (PYTHONPATH), nothing is installed or downloaded.
# Every section has its own time limit and the next one runs even if it fails.
# With $OUT set, the whole output is also written to $OUT/gpu_check.log.
set -u

DEVICE=cuda
QUICK=""
PTB="${PTB_DIR:-}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
# prepared by benchmarks/gpu_check_prepare.sh (PTB slice, pytest for a bare Python)
[ -z "$PTB" ] && [ -f "$HERE/runs/gpu_check/data/ptb/ptb.train.txt" ] && PTB="$HERE/runs/gpu_check/data"
while [ $# -gt 0 ]; do
    case "$1" in
        --device) DEVICE="$2"; shift 2 ;;
        --quick) QUICK="--quick"; shift ;;
        --ptb) PTB="$2"; shift 2 ;;
        *) echo "gpu_check.sh: unknown argument $1 (use --ptb DIR, --device cuda|cpu, --quick)"
           exit 2 ;;
    esac
done

cd "$(dirname "$0")/.." || exit 2
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if ! "${PYTHON:-python}" -c "import pytest" >/dev/null 2>&1 && [ -d runs/gpu_check/deps ]; then
    export PYTHONPATH="$PYTHONPATH:$PWD/runs/gpu_check/deps"   # after the machine's own packages
fi
export PYTHONUNBUFFERED=1
PY="${PYTHON:-python}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

if [ -n "${OUT:-}" ]; then
    mkdir -p "$OUT"
    exec > >(tee "$OUT/gpu_check.log") 2>&1
fi

START=$(date +%s)
section() { echo; echo "=== $1 (t=$(( $(date +%s) - START )) s, $(date -u +%H:%M:%S) UTC) ==="; }
# run SECONDS CMD...: the command under a time limit; report a failure and go on
run() {
    local limit="$1"; shift
    timeout -k 5 "$limit" "$@"
    local rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        echo "!!! timed out after ${limit} s: $*"
    elif [ $rc -ne 0 ]; then
        echo "!!! exit code $rc: $*"
    fi
    return 0
}

section "machine"
if command -v nvidia-smi >/dev/null 2>&1; then
    run 20 nvidia-smi --query-gpu=name,memory.total --format=csv
    run 20 nvidia-smi --query-gpu=driver_version,clocks.max.sm --format=csv
else
    echo "nvidia-smi: not found"
fi
echo "device: $DEVICE ${QUICK:+(quick dry run)}; working tree: $PWD; git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
     "($(git status --porcelain 2>/dev/null | wc -l) paths differ from it)"

section "versions (autograd-nlp info)"
run 40 "$PY" -m autograd_nlp info
run 30 "$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'available', torch.cuda.is_available(), 'cudnn', torch.backends.cudnn.version())"

section "CuPy tests: kernels, devices, training steps against the CPU"
run 75 "$PY" -m pytest -q -x -p no:cacheprovider tests/backend/test_cupy.py -k "not every_op" -rs

section "ms per training iteration, every chapter model"
BOOK=""
[ -d runs/gpu_check/book/common ] && BOOK="--book-dir runs/gpu_check/book"
run 200 "$PY" benchmarks/gpu_iteration.py --device "$DEVICE" --budget 100 $QUICK $BOOK

section "short BetterRnnlm run on PTB"
if [ -n "$PTB" ]; then
    run 80 "$PY" benchmarks/gpu_iteration.py --device "$DEVICE" --ptb "$PTB" --budget 50 $QUICK \
        $( [ -n "$QUICK" ] && echo "--ptb-tokens 3000 --ptb-valid-tokens 1000 --ptb-epochs 2" )
else
    echo "skipped: no PTB folder (pass --ptb DIR or set PTB_DIR)"
fi

section "the LSTM's recurrent product: in our kernels or in cuBLAS"
run 60 "$PY" benchmarks/gpu_iteration.py --device "$DEVICE" --compare-product $QUICK

section "CuPy tests: every registered op gradchecked on the GPU"
run 45 "$PY" -m pytest -q -p no:cacheprovider tests/backend/test_cupy.py -k "every_op" -rs

section "done"
echo "total $(( $(date +%s) - START )) s"
