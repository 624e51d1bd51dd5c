# type = mlp through the CLI: training on a real data set, per-epoch values
# in the database, final and test metrics; bad data and bad parameters are
# input errors with file and line, and write nothing.
. "$E2E_LIB"
cp "$STUDIES/data/iris.csv" .
cat >m.ini <<'EOS'
[study]
name = m
direction = maximize
metric = val_accuracy
trials = 6
workers = 2
seed = 5
sampler = random
[objective]
type = mlp
dataset = iris.csv
valid_split = 0.2
test_split = 0.2
epochs = 12
patience = 4
[params]
learning_rate = loguniform(1e-3, 3e-2)
hidden = int(8, 32)
layers = int(1, 2)
optimizer = choice(adam, adamw, nesterov)
schedule = choice(constant, cosine)
batch_size = 16
activation = choice(relu, tanh, gelu)
EOS
expect_exit 0 "$HPSEARCH" run m.ini
expect_eq "$(q m.db "select count(*) from trials where state = 'COMPLETE'")" 6 "trials"
best=$(q m.db "select max(value) from trials")
awk -v b="$best" 'BEGIN { exit !(b >= 0.9) }' || fail "iris best val_accuracy $best"
ok
# per-epoch values: train_loss and val_accuracy at every epoch until stopping
n=$(q m.db "select count(*) from trial_values v join trials t using(trial_id)
            where t.number = 0 and v.name = 'val_accuracy' and v.step is not null")
[ "$n" -ge 4 ] && [ "$n" -le 12 ] || fail "epoch reports: $n"
ok
expect_eq "$(q m.db "select count(distinct name) from trial_values where step = 1")" 6 \
    "train_loss and five validation metrics per epoch"
for metric in val_accuracy val_f1 test_accuracy train_accuracy best_epoch; do
    expect_eq "$(q m.db "select count(*) from trial_values where step is null and name = '$metric'")" \
        6 "final $metric"
done
expect_exit 0 "$HPSEARCH" best m.ini
expect_in out.txt "optimizer = "
# the same seed and thread count give the same results
sed 's/name = m$/name = m2/' m.ini >m2.ini
expect_exit 0 "$HPSEARCH" run m2.ini --quiet
expect_eq "$(q m.db "select group_concat(value, ',') from (select value from trials order by number)")" \
    "$(q m2.db "select group_concat(value, ',') from (select value from trials order by number)")" \
    "deterministic training"

# bad data: exit 2, FILE:LINE, nothing written
bad_data() { # CSV-TEXT FRAGMENT
    printf "$1" >bad.csv
    sed 's/dataset = iris.csv/dataset = bad.csv/; s/name = m$/name = bad/' m.ini >bad.ini
    expect_exit 2 "$HPSEARCH" run bad.ini
    expect_in err.txt "$2"
    [ ! -e bad.db ] || fail "a database was written for bad data"
    ok
}
bad_data 'a,b,label\n1,2,x\n3,y\n' "bad.csv:3: 2 cells, but the header has 3"
bad_data 'a,b,label\n1,2,x\n3,oops,y\n' "bad.csv:3: column 2: 'oops' is not a number"
bad_data '' "bad.csv:1: the file is empty"
bad_data 'a,b,label\n1,2,x\n3,4,x\n' "at least two classes"
sed 's/test_split = 0.2/test_split = 0.2\nlabel = species/; s/name = m$/name = nl/' m.ini >nl.ini
expect_exit 2 "$HPSEARCH" run nl.ini
expect_in err.txt "iris.csv:1: no column 'species'"
[ ! -e nl.db ] || fail "a database was written"
sed 's/dataset = iris.csv/dataset = missing.csv/; s/name = m$/name = ms/' m.ini >ms.ini
expect_exit 2 "$HPSEARCH" run ms.ini
expect_in err.txt "missing.csv: cannot open"

# bad parameters and metrics: exit 2 with the line
sed 's/batch_size = 16/batch_size = 16\nwarp_factor = 9/' m.ini >p.ini
expect_exit 2 "$HPSEARCH" run p.ini
expect_in err.txt "p.ini:23: the mlp objective has no parameter 'warp_factor'"
sed 's/optimizer = choice(adam, adamw, nesterov)/optimizer = choice(adam, magic)/' m.ini >p.ini
expect_exit 2 "$HPSEARCH" run p.ini
expect_in err.txt "p.ini:20: unknown optimizer 'magic'"
sed 's/metric = val_accuracy/metric = val_happiness/' m.ini >p.ini
expect_exit 2 "$HPSEARCH" run p.ini
expect_in err.txt "p.ini:4: the mlp objective reports no metric 'val_happiness'"
[ ! -e p.db ] || fail "a database was written for a bad study"

# regression
cp "$STUDIES/data/diabetes.csv" .
cat >r.ini <<'EOS'
[study]
name = r
metric = val_mse
trials = 3
seed = 1
[objective]
type = mlp
dataset = diabetes.csv
task = regression
epochs = 30
[params]
learning_rate = loguniform(3e-3, 3e-2)
hidden = 32
loss = choice(mse, huber)
EOS
expect_exit 0 "$HPSEARCH" run r.ini
expect_eq "$(q r.db "select count(*) from trial_values where step is null and name = 'val_r2'")" 3 \
    "regression metrics"
r2=$(q r.db "select max(v.value) from trial_values v where v.step is null and v.name = 'val_r2'")
awk -v r="$r2" 'BEGIN { exit !(r > 0.2) }' || fail "diabetes val_r2 $r2"
ok
done_ok
