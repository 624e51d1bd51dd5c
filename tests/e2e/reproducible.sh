# The same study file and seed give the same parameters for the same trial
# numbers whatever the number of workers, for grid, random and sobol.
. "$E2E_LIB"
for sampler in random sobol grid; do
    for workers in 1 2 4; do
        cat >"r$workers.ini" <<EOS
[study]
name = r
storage = $sampler-$workers.db
trials = 40
sampler = $sampler
seed = 1234
workers = $workers
[objective]
type = function
name = rosenbrock
[params]
x = uniform(-5, 10, step=0.5)
y = int(1, 64, log)
z = choice(-1, 0, 1)
EOS
        expect_exit 0 "$HPSEARCH" run "r$workers.ini" --quiet
        q "$sampler-$workers.db" "select number || ' ' || params_json || ' ' || value || ' ' || seed
                                  from trials order by number" >"$sampler-$workers.txt"
        expect_eq "$(wc -l <"$sampler-$workers.txt")" 40 "$sampler rows"
    done
    cmp -s "$sampler-1.txt" "$sampler-2.txt" || fail "$sampler: 1 vs 2 workers differ"
    cmp -s "$sampler-1.txt" "$sampler-4.txt" || fail "$sampler: 1 vs 4 workers differ"
    ok
done
# another seed gives another design
sed -i 's/seed = 1234/seed = 99/; s/storage = .*/storage = other.db/' r1.ini
sed -i 's/sampler = grid/sampler = random/' r1.ini
expect_exit 0 "$HPSEARCH" run r1.ini --quiet
q other.db "select number || ' ' || params_json || ' ' || value || ' ' || seed from trials
            order by number" >other.txt
! cmp -s other.txt random-1.txt || fail "seed 99 and seed 1234 gave the same trials"
ok
done_ok
