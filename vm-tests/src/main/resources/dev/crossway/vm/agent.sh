# The guest's command loop, started by the initramfs's /init (chrooted into the VM image's root) from
# the exchange directory /vm/share, which the test machine sees as a plain directory.
#
# The test writes cmd/ID.sh (first line: "# timeout SECONDS") and renames it into place; the agent
# moves it to run/, runs it in the background under timeout(1), which ends the whole process group,
# and leaves out/ID.out, out/ID.err and, last, out/ID.rc with the exit status (124: timed out).
# Several commands run at once. The test machine ends the VM by stopping its container.
# shellcheck shell=bash
set -u
share=/vm/share
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 XDG_RUNTIME_DIR=/run/user/0
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
mkdir -p "$share/cmd" "$share/run" "$share/out"
hostname crossway-vm 2>/dev/null

read -r uptime _ </proc/uptime
printf 'uptime=%s\nkernel=%s\n' "$uptime" "$(uname -r)" >"$share/ready.tmp"
mv "$share/ready.tmp" "$share/ready"
echo "crossway-vm: ready at ${uptime} s of guest uptime" >/dev/console

run() {
    local id=$1 seconds=$2
    timeout -k 5 "$seconds" bash "$share/run/$id.sh" </dev/null >"$share/out/$id.out" 2>"$share/out/$id.err"
    echo $? >"$share/out/$id.rc.tmp"
    mv "$share/out/$id.rc.tmp" "$share/out/$id.rc"
}

shopt -s nullglob
while true; do
    for f in "$share"/cmd/*.sh; do
        id=${f##*/}
        id=${id%.sh}
        mv "$f" "$share/run/$id.sh" || continue
        read -r _ _ seconds <"$share/run/$id.sh"
        run "$id" "${seconds:-60}" &
    done
    sleep 0.05
done
