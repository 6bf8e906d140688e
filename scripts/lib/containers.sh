# Containers on this machine through podman, for scripts and for Testcontainers. Source it; it
# defines functions only (it sources common.sh for say/die/ensure_packages).
#
#   containers_setup        as root, installs podman, runc, uidmap and debootstrap when missing; writes a
#                           containers.conf (runc, cgroupfs, ulimits) into the state directory and exports
#                           CONTAINERS_CONF. Not root and something missing: prints what, exits non-zero.
#   containers_base_image   makes sure localhost/crossway-debian:bookworm exists (debootstrap --variant=minbase
#                           from the mirror apt already uses, then podman import); prints the image name.
#   containers_api          starts `podman system service --time=0` on a private Unix socket unless it already
#                           runs; exports DOCKER_HOST, TESTCONTAINERS_RYUK_DISABLED=true and
#                           TESTCONTAINERS_TINYIMAGE_CONTAINER_IMAGE, so Testcontainers works through podman.
#   containers_api_stop     stops that service again (when this state directory's service runs).
#
# The state directory is $CROSSWAY_CONTAINERS_DIR, default .crossway/containers in the checkout; its
# logs (debootstrap.log, podman-service.log) are what the error lines point at.
# shellcheck shell=bash

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CROSSWAY_BASE_IMAGE=localhost/crossway-debian:bookworm

_containers_dir() {
    local dir=${CROSSWAY_CONTAINERS_DIR:-$CROSSWAY_ROOT/.crossway/containers}
    mkdir -p "$dir" || die "cannot create the containers state directory $dir"
    printf '%s\n' "$dir"
}

containers_setup() {
    # crun fails on this kind of machine (hybrid cgroups): runc it is.
    ensure_packages podman=podman runc=runc newuidmap=uidmap debootstrap=debootstrap
    local dir conf
    dir=$(_containers_dir)
    conf="$dir/containers.conf"
    cat >"$conf.new" <<'EOF'
# Written by scripts/lib/containers.sh (containers_setup).
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
    mv "$conf.new" "$conf"
    export CONTAINERS_CONF="$conf"
}

# The URI of the Debian archive apt uses for bookworm's main component (e.g. http://deb.debian.org/debian/).
_containers_mirror() {
    apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 2>/dev/null \
        | awk '$2 == "bookworm" && $3 == "main" { print $1; exit }'
}

# The apt sources of bookworm's main component on this machine (release, updates, security), one
# one-line-style entry per line, for the image's /etc/apt/sources.list.
_containers_sources() {
    apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 2>/dev/null \
        | awk '$2 ~ /^bookworm(-updates|-security)?$/ && $3 == "main" { print "deb " $1 " " $2 " main" }' | sort -u
}

containers_base_image() {
    [ -n "${CONTAINERS_CONF-}" ] || containers_setup
    if podman image exists "$CROSSWAY_BASE_IMAGE"; then
        printf '%s\n' "$CROSSWAY_BASE_IMAGE"
        return 0
    fi
    [ "$(id -u)" = 0 ] || die "building $CROSSWAY_BASE_IMAGE needs root (debootstrap); run this as root"
    local dir mirror rootfs log
    dir=$(_containers_dir)
    mirror=$(_containers_mirror)
    [ -n "$mirror" ] || die "base image: apt has no source for bookworm main (see apt-get indextargets); add one to /etc/apt/sources.list"
    rootfs=$(mktemp -d "$dir/rootfs.XXXXXX")
    log="$dir/debootstrap.log"
    say "base image: debootstrap --variant=minbase bookworm from $mirror (about 2 min; log: $log)"
    if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$log" 2>&1; then
        rm -rf "$rootfs"
        die "base image: debootstrap failed; see $log"
    fi
    _containers_sources >"$rootfs/etc/apt/sources.list"
    # No recommends and no docs: every image built on this base stays small.
    printf 'APT::Install-Recommends "false";\n' >"$rootfs/etc/apt/apt.conf.d/90crossway-no-recommends"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    if ! tar -C "$rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - "$CROSSWAY_BASE_IMAGE" >>"$log" 2>&1; then
        rm -rf "$rootfs"
        die "base image: podman import failed; see $log"
    fi
    rm -rf "$rootfs"
    printf '%s\n' "$CROSSWAY_BASE_IMAGE"
}

containers_api() {
    [ -n "${CONTAINERS_CONF-}" ] || containers_setup
    local dir sock pidfile log pid
    dir=$(_containers_dir)
    sock="$dir/podman.sock"
    pidfile="$dir/podman-service.pid"
    log="$dir/podman-service.log"
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null || [ ! -S "$sock" ]; then
        rm -f "$sock"
        # setsid: the service outlives this shell (and a Ctrl-C in it) until containers_api_stop.
        setsid podman system service --time=0 "unix://$sock" </dev/null >"$log" 2>&1 &
        echo $! >"$pidfile"
        pid=$!
        local i
        for i in $(seq 100); do
            [ -S "$sock" ] && break
            kill -0 "$pid" 2>/dev/null || die "podman's API service exited at start; see $log"
            sleep 0.1
        done
        [ -S "$sock" ] || die "podman's API service made no socket at $sock within 10 s; see $log"
    fi
    export DOCKER_HOST="unix://$sock"
    export TESTCONTAINERS_RYUK_DISABLED=true
    export TESTCONTAINERS_TINYIMAGE_CONTAINER_IMAGE="$CROSSWAY_BASE_IMAGE"
}

containers_api_stop() {
    local dir pidfile pid
    dir=$(_containers_dir)
    pidfile="$dir/podman-service.pid"
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
    fi
    rm -f "$pidfile" "$dir/podman.sock"
}
