#!/usr/bin/env bash
# A throw-away single-node SLURM (munged + slurmctld + slurmd) for tests and CI.
#
#   tests/cluster/slurm.sh up [DIR]   install if missing, configure in DIR (default: a new temp
#                                     dir), start the daemons, wait until the node is idle;
#                                     prints DIR on the last line of stdout.
#   tests/cluster/slurm.sh down DIR   cancel every job, stop the daemons started by `up` (by the
#                                     pids in their pid files), remove DIR.
#
# Clients find this cluster through SLURM_CONF=DIR/slurm.conf (`source DIR/env` sets it).
# Every finished job is recorded by slurmctld in DIR/jobcomp.txt (jobcomp/filetxt).
# Everything lives in DIR: its own munge socket and ports picked free at start-up, so a system
# munged is not touched. One exception: snakemake-executor-plugin-slurm-jobstep (0.6.1) strips
# SLURM_CONF from the environment of the `srun` it runs inside each job, so that srun only finds
# the default /etc/slurm/slurm.conf: `up` makes it a symlink to DIR/slurm.conf (refusing, with a
# skip, when a system slurm.conf exists) and `down` removes that symlink. Needs root (the daemons run as root) and
# apt-get when the Debian packages are missing; otherwise exits 77 ("skip") with the reason on
# stderr. See shared/SLURM_FACTS.md and the README, "Running on a cluster".
set -euo pipefail

SKIP=77
MARKER=".semcom-slurm-test"
SYSTEM_CONF=/etc/slurm/slurm.conf

die() { echo "slurm.sh: $*" >&2; exit 1; }
skip() { echo "slurm.sh: SKIP: $*" >&2; exit "$SKIP"; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_until() {  # wait_until SECONDS DESCRIPTION COMMAND...
    local secs=$1 what=$2; shift 2
    local end=$((SECONDS + secs))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < end)) || return 1
        sleep 0.5
    done
}

install_slurm() {
    local missing=()
    for bin in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/sbatch; do
        [[ -x $bin ]] || missing+=("$bin")
    done
    ((${#missing[@]} == 0)) && return 0
    [[ $(id -u) == 0 ]] || skip "not root and SLURM missing (${missing[*]})"
    command -v apt-get >/dev/null || skip "no apt-get to install SLURM (${missing[*]} missing)"
    echo "installing slurmctld slurmd slurm-client munge with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq slurmctld slurmd slurm-client munge >&2; then
        apt-get update -qq >&2 || skip "apt-get update failed (no network?)"
        apt-get install -y -qq slurmctld slurmd slurm-client munge >&2 \
            || skip "apt-get install of SLURM failed"
    fi
}

write_conf() {  # write_conf DIR
    local d=$1 host node_line ctld_port slurmd_port
    host=$(hostname -s)
    # `slurmd -C` prints "NodeName=<host> CPUs=.. Boards=.. ... RealMemory=..": keep the hardware part.
    node_line=$(/usr/sbin/slurmd -C | head -n1 | sed -E "s/^NodeName=[^ ]+ //; s/ UpTime=.*//")
    [[ $node_line == *CPUs=* ]] || die "unexpected 'slurmd -C' output: $node_line"
    ctld_port=$(free_port)
    slurmd_port=$(free_port)
    while [[ $slurmd_port == "$ctld_port" ]]; do slurmd_port=$(free_port); done
    cat > "$d/slurm.conf" <<EOF
# Written by tests/cluster/slurm.sh (single-node test cluster; removed by 'slurm.sh down').
ClusterName=semcomtest
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/munge.socket
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# Finished jobs stay visible to 'squeue --states=all' this long (the executor's squeue mode).
MinJobAge=600
KillWait=5
AccountingStorageType=accounting_storage/none
# SLURM's own record of every finished job (one line each, kept for good): tests read it
# instead of squeue, whose memory of finished jobs ends after MinJobAge.
JobCompType=jobcomp/filetxt
JobCompLoc=$d/jobcomp.txt
JobAcctGatherType=jobacct_gather/none
NodeName=$host $node_line State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    echo "export SLURM_CONF=$d/slurm.conf" > "$d/env"
    mkdir -p "$(dirname "$SYSTEM_CONF")"
    ln -s "$d/slurm.conf" "$SYSTEM_CONF"
}

start_munged() {  # start_munged DIR
    local d=$1
    mkdir -p "$d/munge"
    chown munge:munge "$d/munge"
    chmod 0711 "$d/munge"  # munged insists that clients can traverse the socket's folder
    [[ -r /etc/munge/munge.key ]] || die "/etc/munge/munge.key missing (the munge package creates it)"
    runuser -u munge -- /usr/sbin/munged --socket="$d/munge/munge.socket" \
        --pid-file="$d/munge/munged.pid" --log-file="$d/munge/munged.log" \
        --seed-file="$d/munge/munged.seed" --key-file=/etc/munge/munge.key \
        || die "munged did not start (see $d/munge/munged.log)"
    wait_until 20 munge bash -c "munge -n --socket='$d/munge/munge.socket' | unmunge --socket='$d/munge/munge.socket'" \
        || die "munge does not answer on $d/munge/munge.socket"
}

up() {
    [[ $(id -u) == 0 ]] || skip "the SLURM daemons must run as root (uid is $(id -u))"
    install_slurm
    if [[ -e $SYSTEM_CONF || -L $SYSTEM_CONF ]]; then
        skip "$SYSTEM_CONF exists (a configured SLURM, or a test cluster still up); not touching it"
    fi
    local d=${1:-}
    if [[ -z $d ]]; then
        d=$(mktemp -d /tmp/semcom-slurm.XXXXXX)
    else
        mkdir -p "$d"
    fi
    d=$(cd "$d" && pwd)
    touch "$d/$MARKER"
    chmod 0755 "$d"
    mkdir -p "$d/state" "$d/spool" "$d/log"
    # From here on, any failure (a failing command or die) stops what was started.
    UP_DIR=$d
    trap 'rc=$?; if ((rc != 0)); then echo "slurm.sh: up failed, stopping what was started" >&2;
          down "$UP_DIR" >&2 || true; fi' EXIT
    write_conf "$d"
    start_munged "$d"
    export SLURM_CONF=$d/slurm.conf
    /usr/sbin/slurmctld -f "$SLURM_CONF" || die "slurmctld did not start (see $d/log/slurmctld.log)"
    wait_until 30 slurmctld scontrol ping || die "slurmctld does not answer (see $d/log/slurmctld.log)"
    /usr/sbin/slurmd -f "$SLURM_CONF" || die "slurmd did not start (see $d/log/slurmd.log)"
    node_idle() { [[ $(sinfo -h -N -o %T | head -n1) == idle ]]; }
    wait_until 60 "idle node" node_idle || {
        sinfo -N >&2 || true
        die "node not idle after 60 s (see $d/log/slurmd.log)"
    }
    trap - EXIT
    echo "SLURM up: $(sinfo -h -N -o '%N %T %c CPUs %m MB') (SLURM_CONF=$SLURM_CONF)" >&2
    echo "$d"
}

stop_pidfile() {  # stop_pidfile FILE NAME: TERM, wait up to 10 s, then KILL
    local file=$1 name=$2 pid
    [[ -s $file ]] || return 0
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    # Only a process that is the daemon we expect (a recycled pid would be someone else's).
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_until 10 "$name exit" bash -c "! kill -0 $pid"; then
        echo "slurm.sh: $name ($pid) ignored SIGTERM; SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
        wait_until 5 "$name exit" bash -c "! kill -0 $pid" || die "$name ($pid) still running"
    fi
}

down() {
    local d=${1:-}
    [[ -n $d ]] || die "usage: slurm.sh down DIR"
    [[ -d $d ]] || return 0
    [[ -e $d/$MARKER ]] || die "$d was not made by 'slurm.sh up' (no $MARKER); not touching it"
    export SLURM_CONF=$d/slurm.conf
    if [[ -s $d/slurmctld.pid && -f $SLURM_CONF ]] && scontrol ping >/dev/null 2>&1; then
        scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
        wait_until 30 "jobs gone" bash -c '[[ -z $(squeue -h -t RUNNING,COMPLETING,PENDING -o %i) ]]' \
            || echo "slurm.sh: jobs still listed after scancel: $(squeue -h -o '%i %T')" >&2
    fi
    stop_pidfile "$d/slurmd.pid" slurmd
    stop_pidfile "$d/slurmctld.pid" slurmctld
    stop_pidfile "$d/munge/munged.pid" munged
    if [[ -L $SYSTEM_CONF && $(readlink "$SYSTEM_CONF") == "$d/slurm.conf" ]]; then
        rm -f "$SYSTEM_CONF"
    fi
    rm -rf "$d"
    echo "SLURM down: $d removed" >&2
}

case ${1:-} in
    up) shift; up "$@" ;;
    down) shift; down "$@" ;;
    *) echo "usage: $0 up [DIR] | down DIR" >&2; exit 2 ;;
esac
