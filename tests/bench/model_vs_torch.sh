#!/bin/sh
# Our training core against PyTorch on the same machine, in one run:
# build/tests/kernel_bench, then tests/bench/torch_mlp_bench.py (needs
# Debian's python3-torch), and the ratios of samples/s per shape and thread
# count.  OpenBLAS's tuning variables are unset for the whole run so that
# every library uses its best kernels.
#   sh tests/bench/model_vs_torch.sh [build/tests/kernel_bench]
set -eu
bench=${1:-build/tests/kernel_bench}
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out" "$out.t"' EXIT
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$bench" | tee "$out"
# PyTorch gets the better of its default and passive OpenMP waiting: spinning
# threads beside OpenBLAS's own collapse its 2-thread runs (ARCHITECTURE.md)
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$here/torch_mlp_bench.py" >"$out.t"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
    /usr/bin/python3 "$here/torch_mlp_bench.py" >>"$out.t"
echo
echo "hpsearch vs PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), samples/s on this machine:"
awk '
    FNR == NR { split($0, f, "\t"); k = f[1] "|" f[2]; if (f[3] > torch[k]) torch[k] = f[3]; next }
    /^[0-9]/ { shape = $0; sub(/  \(.*/, "", shape) }
    /training, 1 thread/ { split($0, f, " "); ours[shape "|1"] = f[5] }
    /training, 2 threads/ { split($0, f, " "); ours[shape "|2"] = f[4] }
    END {
        n = split("784-256-128-10 b128|64-128-64-10 b32|10-64-64-1 b64", s, "|")
        for (i = 1; i <= n; i++)
            for (t = 1; t <= 2; t++) {
                k = s[i] "|" t
                printf "  %-22s %d thread(s): hpsearch %9.0f  PyTorch %9.0f  ratio %.2fx\n",
                       s[i], t, ours[k], torch[k], ours[k] / torch[k]
            }
    }' "$out.t" "$out"
