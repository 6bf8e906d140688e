#!/bin/sh
# Makes the guest's boot files from an unpacked Debian linux-image package: OUT/vmlinuz and
# OUT/initramfs.cpio.gz, which holds busybox, /init and the kernel modules virtio-gpu and 9p need
# with everything they depend on (found with busybox depmod; the host has no kmod or cpio).
#   initramfs.sh KERNEL_TREE INIT OUT
set -eu
tree=$1
init=$2
out=$3
kver=$(ls "$tree/lib/modules")
modules="virtio_pci virtio_gpu 9pnet_virtio 9p"
busybox depmod -b "$tree" "$kver"
dep="$tree/lib/modules/$kver/modules.dep"
root=$(mktemp -d)
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/newroot" "$root/lib/modules/$kver" "$out"

# The modules.dep line of module NAME (file name with '-' read as '_'), or nothing.
dep_line() {
    awk -v m="$1" '{ f = $1; sub(/:$/, "", f); n = f; sub(/.*\//, "", n); sub(/\.ko.*$/, "", n); gsub(/-/, "_", n);
                     if (n == m) { print; exit } }' "$dep"
}

for m in $modules; do
    line=$(dep_line "$m")
    if [ -z "$line" ]; then
        if grep -q "/$(echo "$m" | sed 's/_/[-_]/g')\.ko" "$tree/lib/modules/$kver/modules.builtin"; then
            continue # built into this kernel
        fi
        echo "initramfs.sh: kernel $kver has no module $m" >&2
        exit 1
    fi
    # A modules.dep line names the module and every module it needs, transitively.
    for f in $(echo "$line" | tr -d ':'); do
        mkdir -p "$root/lib/modules/$kver/$(dirname "$f")"
        cp "$tree/lib/modules/$kver/$f" "$root/lib/modules/$kver/$f"
    done
done
cp "$tree/lib/modules/$kver/modules.builtin" "$tree/lib/modules/$kver/modules.order" "$root/lib/modules/$kver/" 2>/dev/null || true
busybox depmod -b "$root" "$kver"
echo "$modules" >"$root/modules"
cp /bin/busybox "$root/bin/busybox"
cp "$init" "$root/init"
chmod 755 "$root/init"
cp "$tree/boot/vmlinuz-$kver" "$out/vmlinuz"
echo "$kver" >"$out/kernel-version"
(cd "$root" && find . | busybox cpio -o -H newc) | gzip -9 >"$out/initramfs.cpio.gz"
rm -rf "$root"
