/**
 * Crossway's VM tier: a QEMU guest (TCG) with the Debian kernel's own virtio_gpu driver and QEMU's
 * rutabaga cross-domain device, in a container that Testcontainers starts through podman's (or
 * Docker's) API, connected to a real compositor on the test machine. The harness here boots it, runs
 * Crossway and clients in the guest, and lets the testsuite's suites run there through a
 * {@link dev.crossway.testsuite.rig.Daemon} and a {@link dev.crossway.testsuite.rig.Display} of the guest.
 */
module dev.crossway.vm {
    requires transitive dev.crossway.testsuite;
    requires testcontainers;
    requires com.github.dockerjava.api;

    exports dev.crossway.vm;
}
