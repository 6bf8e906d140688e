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
    say "VM image: podman build $CROSSWAY_VM_IMAGE (cached layers are reused; a fresh build takes 10-20 min; log: $log)"
    start=$SECONDS
    if ! podman build --layers --build-arg "BASE=$base" -t "$CROSSWAY_VM_IMAGE" -f "$ctx/Containerfile" "$ctx" >"$log" 2>&1; then
        local step
        step=$(grep -E 'STEP [0-9]+/[0-9]+: ' "$log" | tail -n 1 | cut -c 1-160)
        die "VM image: build failed at ${step:-its start}; see $log"
    fi
    say "VM image: $CROSSWAY_VM_IMAGE ready after $((SECONDS - start)) s"
    printf '%s\n' "$CROSSWAY_VM_IMAGE"
}
