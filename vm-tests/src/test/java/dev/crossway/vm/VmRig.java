package dev.crossway.vm;

import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Daemon;
import dev.crossway.testsuite.rig.TransportRig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * virtgpu on the real stack: Crossway and its clients in the QEMU guest of the run's {@link VmSession}, on
 * the Debian kernel's virtio_gpu driver and QEMU's rutabaga cross-domain device, in front of a compositor of
 * this machine. Daemons are shared (see {@link VmSession#daemon}); the compositor is switched under them.
 */
final class VmRig implements TransportRig {
    static final VmRig VIRTGPU = new VmRig();
    private static final AtomicInteger RUNS = new AtomicInteger();
    private String cause;
    private boolean probed;

    private VmRig() {}

    @Override
    public String name() {
        return "virtgpu in a QEMU guest (TCG)";
    }

    /** Asked once per run: whether a container engine answers and has the image. */
    @Override
    public synchronized String unavailabilityCause() {
        if (!probed) {
            cause = VmImage.unavailabilityCause();
            probed = true;
        }
        return cause;
    }

    @Override
    public boolean separateMemory() {
        return true;
    }

    @Override
    public long hostVisibleWindow() {
        return Vm.HOST_VISIBLE_WINDOW;
    }

    /** Explicit synchronization's sync_file fences cannot cross cross-domain. */
    @Override
    public Set<String> uncarriedGlobals() {
        return Set.of("zwp_linux_explicit_synchronization_v1");
    }

    /** TCG: a guest JVM or GTK-sized client takes seconds where this machine takes milliseconds. */
    @Override
    public Duration clientStart() {
        return Duration.ofSeconds(20);
    }

    @Override
    public Duration clientTimeout() {
        return Duration.ofMinutes(3);
    }

    /** About 10 MiB/s cross guest to host under TCG. */
    @Override
    public long largeTransfer() {
        return 16L << 20;
    }

    @Override
    public Daemon crossway(Path compositor, List<String> args) {
        VmSession session = VmSession.shared();
        session.attach(compositor);
        return session.daemon(args);
    }

    @Override
    public Clients.Result runCrossway(Path compositor, List<String> args, Duration timeout) {
        VmSession session = VmSession.shared();
        session.attach(compositor);
        List<String> all = new ArrayList<>(List.of("--transport", "virtgpu", "--socket", "/run/user/0/run-" + RUNS.incrementAndGet()));
        all.addAll(args);
        return session.vm().shell().run(timeout, GuestFiles.javaHomeExport() + GuestFiles.CROSSWAY + " " + GuestShell.quote(all));
    }

    @Override
    public String toString() {
        return name();
    }
}
