#!/usr/bin/env bash
# Runs scripts/slurm/screen-array.sbatch for real on a one-node Slurm cluster on this machine:
# Debian's slurm-wlm, munge and slurmdbd (with MariaDB, so that sacct has the jobs' accounting),
# configured for localhost, started here and stopped again at the end. Then it screens a review in
# shards as a job array with a dependent merge, prints the sacct lines of every task and of the
# merge, and compares the merged ranking with an unsharded screen byte for byte (cmp).
#
#   scripts/slurm/run-local.sh [SHARDS] [INPUT] [TITLE]
#   default: 4 shards of ../shared/corpora/cohen2006/ADHD.csv (851 records: 4 blocks of 256),
#   zero-shot MiniLM embeddings; needs root and scripts/setup.sh. CSMED names a csmed binary to use
#   (default: a release build, made here); MAX_LEN shortens the embedding (--max-len) for a quick run.
# Writes under .build/slurm-run/ (the configuration, the daemons' logs, the shards, the rankings).
# Exit status 77 when it cannot run here (not root), 69 when a tool is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
shards=${1:-4}
input=${2:-../shared/corpora/cohen2006/ADHD.csv}
title=${3:-Attention deficit hyperactivity disorder: drug treatment}
[ "$(id -u)" -eq 0 ] || { echo "run-local: needs root (it starts munged, slurmdbd, slurmctld and slurmd)" >&2; exit 77; }
for tool in sbatch slurmctld slurmd slurmdbd munged mariadbd; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "run-local: $tool missing: scripts/setup.sh installs slurm-wlm, slurmdbd, munge and mariadb-server" >&2; exit 69; }
done
if [ -n "${CSMED:-}" ]; then
  csmed=$(cd "$(dirname "$CSMED")" && pwd)/$(basename "$CSMED")
else
  swift build -c release --product csmed >&2
  csmed=$(swift build -c release --show-bin-path)/csmed
fi
run=$(pwd)/.build/slurm-run
rm -rf "$run" && mkdir -p "$run"/{etc,spool/ctld,spool/d,log,out}
host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))

stop_all() {
  for daemon in slurmd slurmctld slurmdbd; do pkill -x "$daemon" 2>/dev/null || true; done
  sleep 1
  [ -f "/run/mysqld/csmed-slurm.pid" ] && kill "$(cat "/run/mysqld/csmed-slurm.pid")" 2>/dev/null || true
  pkill -x munged 2>/dev/null || true
}
trap stop_all EXIT
stop_all

# munge: one key for the node.
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
[ -s /etc/munge/munge.key ] || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 400 /etc/munge/munge.key
runuser -u munge -- /usr/sbin/munged
munge -n | unmunge >/dev/null

# MariaDB for slurmdbd, on a socket of our own.
mkdir -p "$run/mysql" /run/mysqld && chown mysql:mysql "$run/mysql" /run/mysqld
mariadb-install-db --user=mysql --datadir="$run/mysql" >"$run/log/mariadb-install.log" 2>&1
mariadbd --user=mysql --datadir="$run/mysql" --socket="/run/mysqld/csmed-slurm.sock" --skip-networking=0 --bind-address=127.0.0.1 --port=3307 \
  --pid-file="/run/mysqld/csmed-slurm.pid" >"$run/log/mariadb.log" 2>&1 &
for _ in $(seq 60); do mariadb --socket="/run/mysqld/csmed-slurm.sock" -e 'select 1' >/dev/null 2>&1 && break; sleep 0.5; done
mariadb --socket="/run/mysqld/csmed-slurm.sock" -e "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'csmed'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"

cat >"$run/etc/slurmdbd.conf" <<CONF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=root
LogFile=$run/log/slurmdbd.log
PidFile=$run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=3307
StorageUser=slurm
StoragePass=csmed
StorageLoc=slurm_acct_db
CONF
chmod 600 "$run/etc/slurmdbd.conf"
cat >"$run/etc/slurm.conf" <<CONF
ClusterName=csmed
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
StateSaveLocation=$run/spool/ctld
SlurmdSpoolDir=$run/spool/d
SlurmctldPidFile=$run/slurmctld.pid
SlurmdPidFile=$run/slurmd.pid
SlurmctldLogFile=$run/log/slurmctld.log
SlurmdLogFile=$run/log/slurmd.log
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobAcctGatherType=jobacct_gather/linux
JobCompType=jobcomp/none
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$run/etc/slurm.conf

slurmdbd  # reads slurmdbd.conf beside $SLURM_CONF
for _ in $(seq 60); do sacctmgr -n show cluster >/dev/null 2>&1 && break; sleep 0.5; done
sacctmgr -i add cluster csmed >/dev/null
sacctmgr -i add account csmed Cluster=csmed >/dev/null
sacctmgr -i add user root Account=csmed >/dev/null || true
slurmctld
slurmd
for _ in $(seq 60); do sinfo -h -o '%T' 2>/dev/null | grep -q idle && break; sleep 0.5; done
sinfo

# The run: shards as an array, the merge after them, then the same screen unsharded.
screen=(--input "$input" --review-title "$title" --zero-shot embed)
[ -n "${MAX_LEN:-}" ] && screen+=(--max-len "$MAX_LEN")
out=$run/out
# (Not `tee /dev/stderr`: opening a log file that stderr points to truncates it.)
submitted=$(CSMED="$csmed" scripts/slurm/screen-array.sbatch "$shards" "$out" "${screen[@]}")
echo "$submitted" >&2
read -r array merge <<<"$(tail -1 <<<"$submitted")"
for _ in $(seq 1800); do
  squeue -h -j "$array,$merge" 2>/dev/null | grep -q . || break
  sleep 1
done
sleep 2  # accounting reaches slurmdbd a moment after the jobs end
echo "== sacct: the screen array $array and the merge $merge =="
sacct -j "$array,$merge" --format=JobID%-16,JobName%-14,State,ExitCode,Elapsed,NCPUS,MaxRSS,NodeList | grep -v '\.ext'
"$csmed" screen "${screen[@]}" -o "$run/unsharded.csv"
if cmp "$out/ranking.csv" "$run/unsharded.csv"; then
  echo "cmp: the merged ranking of $shards shards equals the unsharded screen byte for byte ($(wc -l <"$run/unsharded.csv") lines)"
else
  echo "cmp: the merged ranking differs from the unsharded screen" >&2
  exit 1
fi
