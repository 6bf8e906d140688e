# The VM tier's image. Source it after containers.sh; it defines functions only.
# shellcheck shell=bash

CROSSWAY_VM_IMAGE=localhost/crossway-vm:latest
CROSSWAY_SHARED=${CROSSWAY_SHARED:-$CROSSWAY_ROOT/../shared}
# Inputs from the shared directory that the image build needs and the repository does not hold.
CROSSWAY_VM_INPUTS=(vm/crosvm-5c1b9e96-rutabaga_gfx.tar.gz vm/rutabaga_gfx-nix-0.29.patch)

# Builds (or, with every layer cached, confirms) $CROSSWAY_VM_IMAGE; prints its name.
vm_image() {
    local base dir ctx log input start
    base=$(containers_base_image)
    dir=$(_containers_dir)
    ctx="$dir/vm-image-context"
    log="$dir/vm-image-build.log"
    rm -rf "$ctx"
    mkdir -p "$ctx"
    cp -p "$CROSSWAY_ROOT"/vm-tests/image/* "$ctx/"
    for input in "${CROSSWAY_VM_INPUTS[@]}"; do
        [ -f "$CROSSWAY_SHARED/$input" ] || die "VM image: no $CROSSWAY_SHARED/$input (the rutabaga_gfx source no registry here serves); put the shared directory beside the checkout or set CROSSWAY_SHARED"
        cp -p "$CROSSWAY_SHARED/$input" "$ctx/"
    done
    say "VM image: podman build $CROSSWAY_VM_IMAGE (cached layers are reused; a fresh build takes 7-15 min; log: $log)"
    start=$SECONDS
    if ! podman build --layers --build-arg "BASE=$base" -t "$CROSSWAY_VM_IMAGE" -f "$ctx/Containerfile" "$ctx" >"$log" 2>&1; then
        local step
        step=$(grep -E 'STEP [0-9]+/[0-9]+: ' "$log" | tail -n 1 | cut -c 1-160)
        die "VM image: build failed at ${step:-its start}; see $log"
    fi
    say "VM image: $CROSSWAY_VM_IMAGE ready after $((SECONDS - start)) s"
    printf '%s\n' "$CROSSWAY_VM_IMAGE"
}

# Replaces the VM tier's section of docs/BENCHMARKS.md (between the vm-tier markers, which the
# benchmark harness keeps when it rewrites the file) with the figures table of FIGURES.
vm_update_benchmarks() {
    local figures=$1 doc="$CROSSWAY_ROOT/docs/BENCHMARKS.md" kernel java
    [ -s "$figures" ] || die "no VM figures at $figures: the tier measured nothing"
    kernel=$(podman run --rm "$CROSSWAY_VM_IMAGE" cat /vm/boot/kernel-version)
    java=$(podman run --rm "$CROSSWAY_VM_IMAGE" sh -c 'java -version 2>&1 | head -n 1')
    {
        awk '/<!-- vm-tier:begin -->/ { skip = 1 } !skip { print } /<!-- vm-tier:end -->/ { skip = 0 }' "$doc" \
            | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
        printf '\n<!-- vm-tier:begin -->\n## VM tier (TCG)\n\n'
        printf 'Written by `scripts/vm-test --update-docs` on %s from one run of the VM tier (the harness above keeps this section).\n\n' "$(date +%F)"
        printf -- '- Machine: %s, %s cores; no KVM: QEMU 10.0.2 with TCG, q35, 2 vCPUs, 2 GiB, `virtio-gpu-rutabaga-pci,cross-domain=on` (rutabaga_gfx 0.1.3)\n' \
            "$(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -n 1)" "$(nproc)"
        printf -- '- Guest: Debian kernel %s (its own virtio_gpu driver), root over 9p, %s\n' "$kernel" "$java"
        printf -- '- Host compositors on the test machine: weston 10 headless (pixman), sway 1.7 headless (pixman)\n'
        printf -- '- Single measurements on a machine shared with other work: expect tens of percent between runs. TCG makes the guest 10-50× slower than KVM would.\n\n'
        cat "$figures"
        printf '<!-- vm-tier:end -->\n'
    } >"$doc.new"
    mv "$doc.new" "$doc"
    say "VM figures written to docs/BENCHMARKS.md"
}
