# Shared by ./crossway, scripts/demo and scripts/test. Source it; it defines functions only.
# shellcheck shell=bash

CROSSWAY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
CROSSWAY_DIST="$CROSSWAY_ROOT/app/target/crossway"

die() {
    printf '%s: error: %s\n' "${0##*/}" "$*" >&2
    exit 1
}

say() {
    printf '==> %s\n' "$*" >&2
}

# ensure_packages CHECK=PACKAGE ...
# CHECK is a command name, or an absolute path that must exist. Installs the packages whose check
# fails, with apt-get when running as root; otherwise prints the exact command and exits 1.
ensure_packages() {
    local pair check pkg missing=()
    for pair in "$@"; do
        check=${pair%%=*}
        pkg=${pair#*=}
        case $check in
            /*) [ -e "$check" ] && continue ;;
            *) command -v "$check" >/dev/null 2>&1 && continue ;;
        esac
        case " ${missing[*]} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local cmd="apt-get install -y --no-install-recommends ${missing[*]}"
    if [ "$(id -u)" != 0 ]; then
        printf '%s: missing packages: %s\nInstall them first (as root):\n  apt-get update && %s\n' \
            "${0##*/}" "${missing[*]}" "$cmd" >&2
        exit 1
    fi
    command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get to install them"
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2 || die "apt-get update failed"
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends ${missing[*]} >&2 || die "'$cmd' failed"
}

# What running Crossway and its tests needs: the build tools, the compositors and clients the demo
# and the integration tests drive (weston for shm and screenshots, sway with wl-clipboard and wtype
# for the clipboard, gtk3-demo and grim for decorations on sway), systemd-socket-activate for the
# socket-activation test and asciidoctor for the manual pages of the .deb. The protocol XML comes with
# core's built-in table (scripts/protocols), so the build needs no XML package.
CROSSWAY_PACKAGES=(
    java=default-jdk-headless
    mvn=maven
    weston=weston
    weston-simple-shm=weston
    weston-screenshooter=weston
    wayland-info=wayland-utils
    timeout=coreutils
    sway=sway
    wl-copy=wl-clipboard
    wtype=wtype
    foot=foot
    setpriv=util-linux
    gtk3-demo=gtk-3-examples
    grim=grim
    systemd-socket-activate=systemd
    asciidoctor=asciidoctor
)

# Prints one input of the app's distribution (a pom, or a file under src/main, src/dist, src/build or
# src/assembly of any module but the test modules) that is newer than the distribution, if any.
# The distribution's directory is made anew by every build, so its time is the build's; the files
# in it keep their sources' times.
dist_outdated_by() {
    [ -x "$CROSSWAY_DIST/bin/crossway" ] || { echo "$CROSSWAY_DIST/bin/crossway (missing)"; return; }
    find "$CROSSWAY_ROOT" \
        \( -path "$CROSSWAY_ROOT/.git" -o -path "$CROSSWAY_ROOT/it-tests" -o -path "$CROSSWAY_ROOT/testsuite" \
        -o -path "$CROSSWAY_ROOT/vm-tests" -o -path "$CROSSWAY_ROOT/bench" -o -name target \) -prune \
        -o \( -name pom.xml -o -path '*/src/main/*' -o -path '*/src/dist/*' -o -path '*/src/build/*' -o -path '*/src/assembly/*' \) \
        -type f -newer "$CROSSWAY_DIST" -print -quit
}

# Builds the app distribution when it is missing or older than its sources.
ensure_built() {
    local why
    why=$(dist_outdated_by)
    [ -z "$why" ] && return 0
    say "building Crossway (newer than the distribution: ${why#"$CROSSWAY_ROOT"/})"
    # (Maven 3.8 prints stray colour resets with -q: drop them.)
    (cd "$CROSSWAY_ROOT" && mvn -B -q -DskipTests -pl app -am package) 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
    [ "${PIPESTATUS[0]}" = 0 ] \
        || die "build failed: run 'mvn -B -DskipTests -pl app -am package' in $CROSSWAY_ROOT to see why"
    [ -x "$CROSSWAY_DIST/bin/crossway" ] || die "the build did not produce $CROSSWAY_DIST/bin/crossway"
}
