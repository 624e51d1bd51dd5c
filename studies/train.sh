#!/bin/sh
# A stand-in training script for studies/command-example.ini: it "trains"
# for --epochs epochs and prints a validation loss per epoch in hpsearch's
# protocol, then the final value.  The loss curve is a smooth function of
# the learning rate, the width and the dropout, with its best near lr = 0.01,
# units = 128, dropout = 0.2.  Any program that prints such lines (or just a
# number on its last line) can be tuned the same way.
set -eu
lr=0.01 units=64 dropout=0 epochs=10 opt=sgd
while [ $# -gt 0 ]; do
    case $1 in
        --lr) lr=$2; shift 2 ;;
        --units) units=$2; shift 2 ;;
        --dropout) dropout=$2; shift 2 ;;
        --epochs) epochs=$2; shift 2 ;;
        --optimizer) opt=$2; shift 2 ;;
        *) echo "train.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
echo "training in $(pwd) with lr=$lr units=$units dropout=$dropout optimizer=$opt" >&2
awk -v lr="$lr" -v u="$units" -v d="$dropout" -v n="$epochs" -v opt="$opt" 'BEGIN {
    a = log(lr / 0.01); b = log(u / 128); c = (d - 0.2) * 4
    floor = 0.05 + 0.04 * (a * a + b * b + c * c) + (opt == "adam" ? 0 : 0.03)
    rate = 0.35 / (1 + 0.3 * a * a)
    for (e = 1; e <= n; e++) {
        loss = floor + exp(-rate * e)
        printf "hpsearch: step=%d value=%.6f train_loss=%.6f\n", e, loss, loss * 0.9
    }
    printf "hpsearch: value=%.6f\n", loss
}'
