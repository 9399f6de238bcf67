#!/usr/bin/env bash
# Prepare what benchmarks/gpu_check.sh needs on a GPU machine without network,
# in runs/gpu_check/ (ignored by git; pass it to the machine with the working
# tree, e.g. carry=["runs/gpu_check"]):
#   runs/gpu_check/data/ptb/ptb.{train,valid}.txt  from $AUTOGRAD_NLP_DATA (or DIR)
#   runs/gpu_check/deps/   pytest and its pure-Python dependencies, from this
#                          Python, for a machine whose Python lacks pytest
#   runs/gpu_check/book/   the book's code (MIT) from $BOOK_DIR or
#                          ../shared/reference/dl2-book-code, to time it on the
#                          same GPU (not part of the repository: runs/ is ignored)
#
#   benchmarks/gpu_check_prepare.sh [DIR]
set -u
cd "$(dirname "$0")/.." || exit 2
DATA="${1:-${AUTOGRAD_NLP_DATA:-}}"
PY="${PYTHON:-python}"
mkdir -p runs/gpu_check/data/ptb runs/gpu_check/deps

if [ -n "$DATA" ]; then
    for split in train valid; do
        for f in "$DATA/ptb/ptb.$split.txt" "$DATA/ptb.$split.txt"; do
            if [ -f "$f" ]; then cp "$f" runs/gpu_check/data/ptb/; break; fi
        done
    done
fi
ls runs/gpu_check/data/ptb/ptb.train.txt runs/gpu_check/data/ptb/ptb.valid.txt 2>/dev/null \
    || echo "no PTB copied (give DIR or set AUTOGRAD_NLP_DATA): the PTB section will be skipped"

BOOK="${BOOK_DIR:-../shared/reference/dl2-book-code}"
if [ -d "$BOOK/common" ]; then
    rm -rf runs/gpu_check/book && mkdir -p runs/gpu_check/book
    for part in common ch04 ch06 ch07 ch08 LICENSE.md; do
        cp -r "$BOOK/$part" runs/gpu_check/book/ 2>/dev/null
    done
    echo "copied the book's code from $BOOK"
else
    echo "no book code at $BOOK (set BOOK_DIR): the book column will be empty"
fi

"$PY" - <<'PYEOF'
import importlib, os, shutil
target = "runs/gpu_check/deps"
for name in ("pytest", "_pytest", "pluggy", "iniconfig", "packaging", "pygments", "py",
             "exceptiongroup", "tomli"):
    try:
        module = importlib.import_module(name)
    except ImportError:
        continue
    path = module.__file__
    if os.path.basename(path) == "__init__.py":
        src = os.path.dirname(path)
        shutil.copytree(src, os.path.join(target, os.path.basename(src)), dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy(path, target)
    print("copied", name)
PYEOF
du -sh runs/gpu_check
