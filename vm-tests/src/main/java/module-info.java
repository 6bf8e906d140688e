/**
 * Crossway's VM tier: a QEMU guest (TCG) with the Debian kernel's own virtio_gpu driver and QEMU's
 * rutabaga cross-domain device, in a container that Testcontainers starts through podman's (or
 * Docker's) API, connected to a real compositor on the test machine. {@code dev.crossway.vm} is the
 * harness; {@code dev.crossway.vm.guest} holds the programs the guest's JVM runs.
 */
module dev.crossway.vm {
    requires dev.crossway.it;
    requires dev.crossway.bench;
    requires dev.crossway.core;
    requires dev.crossway.linux;
    requires testcontainers;
    requires com.github.dockerjava.api;

    exports dev.crossway.vm;
    exports dev.crossway.vm.guest;
}
