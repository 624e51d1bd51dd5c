#!/bin/sh
# Workers in containers: four containers from one image share a host name
# and each runs hpsearch as pid 1 of its own PID namespace, yet they never
# take each other's trials: every process claims under a random instance id,
# and a pid is judged only inside the boot and PID namespace it came from.
#
#   sh studies/container-example.sh IMAGE STUDY.ini postgresql://hpsearch@db/hpsearch
#
# IMAGE has hpsearch installed and the study's files at /study; the
# password is passed through PGPASSWORD from the host's environment.
set -eu
image=${1:?usage: container-example.sh IMAGE STUDY.ini URL}
study=${2:?usage: container-example.sh IMAGE STUDY.ini URL}
url=${3:?usage: container-example.sh IMAGE STUDY.ini URL}
for i in 1 2 3 4; do
    docker run --detach --rm --hostname hpsearch-worker --name "hpsearch-$i" \
        --env PGPASSWORD --volume "$(pwd):/study:ro" "$image" \
        hpsearch run "/study/$study" --storage "$url" --workers 2
done
echo "4 workers started; watch them with: hpsearch status $url --study NAME"
