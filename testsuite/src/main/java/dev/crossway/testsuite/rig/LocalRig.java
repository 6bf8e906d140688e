package dev.crossway.testsuite.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Transports whose daemon and clients run on this machine: loopback (shared or separate memory), and the
 * VM transports over their emulated devices (the test-jars' emulators in a copy of the distribution, named
 * by the transport's {@code device-provider} option). Every daemon is a new process with a private runtime
 * directory, stopped by {@link Daemon#close()}.
 */
public final class LocalRig implements TransportRig {
    /** Explicit synchronization's requests and events carry sync_file fences, which the VM transports cannot carry. */
    private static final Set<String> FENCES = Set.of("zwp_linux_explicit_synchronization_v1");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    public static final LocalRig LOOPBACK_SHARED = new LocalRig("loopback, shared memory", List.of("--transport", "loopback"),
            Map.of(), Distributions::built, false, 0, Set.of());
    public static final LocalRig LOOPBACK_SEPARATE = new LocalRig("loopback, separate memory",
            List.of("--transport", "loopback", "--memory", "separate"), Map.of(), Distributions::built, true, 0, Set.of());
    /** Its emulated device's host-visible window is 256 MiB, as a small VM's: host memory must follow what surfaces show. */
    public static final LocalRig VIRTGPU_EMULATED = new LocalRig("virtgpu over its emulated device", List.of("--transport", "virtgpu"),
            Map.of("CROSSWAY_TRANSPORTS__VIRTGPU__DEVICE_PROVIDER", "emulator", "CROSSWAY_TRANSPORTS__VIRTGPU__EMULATOR_HOSTMEM", "256M"),
            Distributions::emulated, true, 256L << 20, FENCES);
    public static final LocalRig VIRTWL_EMULATED = new LocalRig("virtwl over its emulated device", List.of("--transport", "virtwl"),
            Map.of("CROSSWAY_TRANSPORTS__VIRTWL__DEVICE_PROVIDER", "emulator"), Distributions::emulated, true, 0, FENCES);

    private final String name;
    private final List<String> transportArgs;
    private final Map<String, String> env;
    private final Supplier<Path> home;
    private final boolean separateMemory;
    private final long hostVisibleWindow;
    private final Set<String> uncarried;

    private LocalRig(String name, List<String> transportArgs, Map<String, String> env, Supplier<Path> home, boolean separateMemory,
                     long hostVisibleWindow, Set<String> uncarried) {
        this.name = name;
        this.transportArgs = transportArgs;
        this.env = env;
        this.home = home;
        this.separateMemory = separateMemory;
        this.hostVisibleWindow = hostVisibleWindow;
        this.uncarried = uncarried;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String unavailabilityCause() {
        Distributions.launcher(); // fails, not skips, when the distribution was not built
        return env.isEmpty() ? null : Distributions.emulatorUnavailabilityCause();
    }

    @Override
    public boolean separateMemory() {
        return separateMemory;
    }

    @Override
    public long hostVisibleWindow() {
        return hostVisibleWindow;
    }

    @Override
    public Set<String> uncarriedGlobals() {
        return uncarried;
    }

    @Override
    public Duration clientStart() {
        return Duration.ofSeconds(1);
    }

    @Override
    public Duration clientTimeout() {
        return Duration.ofSeconds(60);
    }

    @Override
    public long largeTransfer() {
        return 256L << 20;
    }

    @Override
    public Daemon crossway(Path compositor, List<String> args) {
        Path dir = runtimeDir();
        try {
            return Crossway.start(home.get(), dir, arguments(compositor, dir, args), env).owning(dir);
        } catch (RuntimeException e) {
            Procs.deleteTree(dir);
            throw e;
        }
    }

    @Override
    public Clients.Result runCrossway(Path compositor, List<String> args, Duration timeout) {
        Path dir = runtimeDir();
        try {
            return Crossway.run(home.get(), dir, arguments(compositor, dir, args), env, timeout);
        } finally {
            Procs.deleteTree(dir);
        }
    }

    /** The transport's arguments, the compositor, a socket in {@code dir}, then {@code args} (which may end with {@code -- CMD}). */
    private List<String> arguments(Path compositor, Path dir, List<String> args) {
        List<String> all = new ArrayList<>(transportArgs);
        all.addAll(List.of("--host-display", compositor.toString(), "--socket", dir.resolve("crossway-" + SEQUENCE.incrementAndGet())
                .toString()));
        all.addAll(args);
        return all;
    }

    private static Path runtimeDir() {
        try {
            return Files.createTempDirectory("crossway-rig-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
