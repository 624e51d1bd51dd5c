# Workers x threads is chosen after every override: a study file with
# workers = 1 run as `run --workers 8` runs 8 trials of 1 kernel thread each
# on this machine's cores, never 8 x cores OpenMP threads.  status and the
# run's first line say how trials run.
. "$E2E_LIB"
cp "$STUDIES/data/digits.csv" .
cat >t.ini <<'EOS'
[study]
name = t
trials = 8
workers = 1
seed = 2
metric = val_accuracy
direction = maximize
[objective]
type = mlp
dataset = digits.csv
epochs = 6
[params]
hidden = 512
layers = 2
batch_size = 64
learning_rate = loguniform(1e-4, 1e-2)
EOS
cores=$(nproc)
# OpenBLAS (under GSL, never in the kernels) starts no pool of its own here
OPENBLAS_NUM_THREADS=1 "$HPSEARCH" run t.ini --workers 8 >run.out 2>run.err &
pid=$!
most=0
while kill -0 $pid 2>/dev/null; do
    n=$(awk '/^Threads:/ { print $2 }' /proc/$pid/status 2>/dev/null || echo 0)
    [ "${n:-0}" -gt "$most" ] && most=$n
    sleep 0.02
done
wait $pid || fail "the run failed: $(cat run.err)"
limit=$((8 > cores ? 8 : cores))
# the worker threads compute; the main thread only supervises
[ "$most" -le $((limit + 1)) ] || fail "$most threads at once with --workers 8 on $cores cores"
[ "$most" -ge 8 ] || fail "the 8 workers did not run at once ($most threads)"
ok
expect_in run.out "8 workers x 1 thread ($cores core"
expect_exit 0 "$HPSEARCH" status t.ini
expect_in out.txt "parallel   1 worker x $cores kernel thread"
done_ok
