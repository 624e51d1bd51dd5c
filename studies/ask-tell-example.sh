#!/bin/sh
# Drive a study from a shell loop with ask/tell: any program that can print
# a number can be tuned this way.  Run from the repository root:
#   sh studies/ask-tell-example.sh [path/to/hpsearch]
set -eu
hpsearch=${1:-build/engine/hpsearch}
study=$(dirname "$0")/ask-tell-example.ini
while eval "$("$hpsearch" ask "$study" --format env)" && [ -n "${HPSEARCH_TRIAL:-}" ]; do
    # the "training": a quadratic bowl with its minimum at lr = 0.01, units = 64
    value=$(awk -v lr="$HPSEARCH_PARAM_LR" -v u="$HPSEARCH_PARAM_UNITS" \
        'BEGIN { d = log(lr / 0.01); e = log(u / 64); print d * d + e * e }')
    "$hpsearch" tell "$study" "$HPSEARCH_TRIAL" "$value"
    unset HPSEARCH_TRIAL
done
"$hpsearch" best "$study"
