#!/bin/sh
# Is `sampler = tpe` Optuna's TPE model?  For each case an ask/tell study
# (tpe, 10000 candidates, no [objective]) is driven by a shell loop on a
# test function; then Optuna's own TPESampler builds its l(x) and g(x) from
# the same history, and the acquisition log l - log g of hpsearch's next
# proposal is compared with the best of 10000 candidates Optuna draws, over
# 20 draws.  If the two models are the same, hpsearch's proposal scores
# within the range of Optuna's best-of-10000; a different bandwidth, weight,
# split or prior puts it well below.  Prints one line per case and a summary.
#   sh tests/bench/tpe_vs_optuna.sh [build/engine/hpsearch]
# Optuna comes from the virtual environment search_bench.sh installs
# ($HPSEARCH_BENCH_VENV, default ~/.cache/hpsearch-bench-venv).
set -eu
hpsearch=${1:-build/engine/hpsearch}
case $hpsearch in /*) ;; *) hpsearch=$(pwd)/$hpsearch ;; esac
venv=${HPSEARCH_BENCH_VENV:-$HOME/.cache/hpsearch-bench-venv}
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$venv/bin/python" ] || {
    echo "tpe_vs_optuna.sh: no Optuna in $venv (run search_bench.sh once)" >&2
    exit 2
}
dir=$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-tpe.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"

# case: dimension, finished trials, study seed, function (awk on $1..$d in
# [0, 1]: a bent cigar, a Rosenbrock valley, a multimodal Rastrigin)
run_case() {
    d=$1 n=$2 seed=$3 fn=$4
    rm -f c.db
    {
        printf '[study]\nname = c\nstorage = c.db\ntrials = %s\nseed = %s\nsampler = tpe\n' \
            $((n + 1)) "$seed"
        printf '[params]\n'
        j=1
        while [ $j -le "$d" ]; do
            echo "x$j = uniform(0, 1)"
            j=$((j + 1))
        done
        printf '[sampler]\ncandidates = 10000\n'
    } >c.ini
    : >history.txt
    i=0
    while [ $i -le "$n" ]; do
        "$hpsearch" ask c.ini --format json >ask.json
        x=$(tr -d '{}" ' <ask.json | sed 's/params://' | tr ',' '\n' | sed -n 's/^x[0-9]*://p' | tr '\n' ' ')
        [ $i -eq "$n" ] && break
        trial=$(tr -d '{}" ' <ask.json | tr ',' '\n' | sed -n 's/^trial://p')
        v=$(echo "$x" | awk "{ $fn }")
        echo "$x $v" >>history.txt
        "$hpsearch" tell c.ini "$trial" "$v" >/dev/null
        i=$((i + 1))
    done
    echo "$x" >proposal.txt
    "$venv/bin/python" "$here/tpe_vs_optuna.py" history.txt proposal.txt "$d $n $seed"
}

cigar='s = (10*$1-5)^2; for (j = 2; j <= NF; j++) s += 1e6*(10*$j-5.3)^2; print s'
valley='s = 0; for (j = 1; j < NF; j++) { a = 4*$j-2; b = 4*$(j+1)-2; s += 100*(b-a*a)^2 + (1-a)^2 }; print s'
rastrigin='s = 10*NF; for (j = 1; j <= NF; j++) { z = 10*$j-5.2; s += z*z - 10*cos(6.283185307*z) }; print s'
for c in "2 40 1 cigar" "2 40 2 valley" "5 60 3 rastrigin" "10 60 4 cigar" \
         "10 100 5 valley" "10 150 6 rastrigin"; do
    set -- $c
    eval "fn=\$$4"
    run_case "$1" "$2" "$3" "$fn" | sed "s/^/$4 /"
done | tee cases.txt
awk '{ n++; ok += ($NF != "below") } END { printf "tpe_vs_optuna: %d of %d proposals score no lower than the lowest best-of-10000 of Optuna, in its model\n", ok, n }' cases.txt
