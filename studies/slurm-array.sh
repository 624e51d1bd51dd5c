#!/bin/sh
# One study over a Slurm job array: every task runs hpsearch on the same
# study file against one PostgreSQL database, and together they finish
# exactly the study's trials (each claim checks the study-wide budget).
#
#   sbatch --array=0-31 studies/slurm-array.sh studies/digits.ini
#
# The password comes from ~/.pgpass (or PGPASSWORD in the job's
# environment), never from the URL.  A task that dies (node failure,
# preemption, time limit) leaves its trials to be re-run by the others once
# their heartbeat is 12 s old; resubmitting the array resumes the study.
#SBATCH --job-name=hpsearch
#SBATCH --cpus-per-task=4
#SBATCH --time=02:00:00
#SBATCH --output=hpsearch-%A_%a.log
set -eu
study=${1:?usage: sbatch --array=0-N slurm-array.sh STUDY.ini}
: "${HPSEARCH_DB:=postgresql://hpsearch@db.example.org:5432/hpsearch?sslmode=prefer}"
# one worker per task, every core of the task to its trials' kernels
exec hpsearch run "$study" --storage "$HPSEARCH_DB" --workers 1
