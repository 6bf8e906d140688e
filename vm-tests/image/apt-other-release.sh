#!/bin/sh
# Runs one apt-get command against another release of the mirror the image already uses, with a
# sources list and package lists of its own, so nothing of that release is installed or mixed into
# the image's own lists.
#   apt-other-release.sh deb|deb-src SUITE APT-GET-ARGS...    e.g.  deb trixie download meson
set -eu
type=$1
suite=$2
shift 2
mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/lists/partial"
echo "$type $mirror $suite main" >"$dir/sources.list"
apt() {
    apt-get -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$dir/lists" "$@"
}
apt update
apt "$@"
