package dev.crossway.testsuite.rig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One transport as the suites see it: how Crossway starts on it in front of a compositor of this machine,
 * where its clients run, and the few facts in which transports differ. Each transport's test class names
 * one; the suites are written against this alone, never against a transport.
 *
 * <p>Deliberately absent: anything about the transport's own machinery (devices, rings, blobs). What a
 * suite observes is what a user would: clients, the compositor, the daemon's log and its process.
 */
public interface TransportRig {
    /** For messages: {@code loopback, shared memory}, {@code virtgpu in a QEMU guest}, ... */
    String name();

    /** Why the suites cannot run here (a missing emulator, container engine or image), with the fix; null when they can. */
    String unavailabilityCause();

    /** Whether client memory is separate from the compositor's, so Crossway shows shm through host buffers of its own. */
    boolean separateMemory();

    /** The size of the window host buffers are made in (a VM's host-visible memory), or 0 when there is none. */
    long hostVisibleWindow();

    /** Interfaces whose fds this transport cannot carry, so the policy hides them beyond the privileged ones. */
    Set<String> uncarriedGlobals();

    /** How long a client may take here to connect and show its first frame (a VM under TCG takes many times longer). */
    Duration clientStart();

    /** A bound for one client program here. */
    Duration clientTimeout();

    /** How large the large clipboard transfers are (the slower the transport, the smaller). */
    long largeTransfer();

    /**
     * Crossway on this transport with {@code args} added, in front of the compositor listening at
     * {@code compositor}. Where starting a daemon is dear one may serve every test that asks for the same
     * {@code args}; the compositor is then switched under it, and {@link Daemon#close()} leaves it running.
     */
    Daemon crossway(Path compositor, List<String> args);

    /** Runs {@code crossway ARGS} on this transport to its end (a subcommand, or {@code -- CMD}), in front of {@code compositor}. */
    Clients.Result runCrossway(Path compositor, List<String> args, Duration timeout);
}
