package dev.crossway.testsuite.rig;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A compositor of this machine with no display, running in a private {@code XDG_RUNTIME_DIR} that is
 * deleted when it stops: what weston and sway have in common for the tests (the socket, the log,
 * clients run straight on it, screenshots).
 */
public abstract class HeadlessCompositor implements AutoCloseable {
    private final String name;
    private final Path runtimeDir;
    private final Path log;
    private final Process process;

    protected HeadlessCompositor(String name, Path runtimeDir, Path log, Process process) {
        this.name = name;
        this.runtimeDir = runtimeDir;
        this.log = log;
        this.process = process;
    }

    /** The socket's name in {@link #runtimeDir()}, as {@code WAYLAND_DISPLAY} would give it. */
    public abstract String socketName();

    /** Writes a PNG of the whole output to {@code out} and returns its path. */
    public abstract Path screenshot(Path out);

    public final Path socketPath() {
        return runtimeDir.resolve(socketName());
    }

    public final Path runtimeDir() {
        return runtimeDir;
    }

    /** Clients (as root) straight on the compositor's socket, on this machine. */
    public final Display display() {
        return new LocalDisplay("host", runtimeDir, socketName(), runtimeDir);
    }

    /** Runs a client (as root) straight on the compositor's socket. */
    public final Clients.Result run(Duration timeout, String... command) {
        return Clients.run(runtimeDir, socketName(), timeout, command);
    }

    public final long pid() {
        return process.pid();
    }

    public final boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the compositor has written to stdout and stderr so far. */
    public final String log() {
        return Procs.read(log);
    }

    public final Path logFile() {
        return log;
    }

    /**
     * Takes screenshots until two in a row are identical (the compositor has drawn everything), at most
     * for {@code timeout}; returns the last one, decoded, written to {@code out}.
     */
    public final Png settledScreenshot(Path out, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Png previous = Png.read(screenshot(out));
        while (true) {
            Procs.sleep(Duration.ofMillis(200));
            Png next = Png.read(screenshot(out));
            int changed = next.countDifferent(previous);
            if (changed == 0) {
                return next;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + "'s output kept changing for " + timeout.toMillis() + " ms (" + changed
                        + " pixels in the last 200 ms)");
            }
            previous = next;
        }
    }

    @Override
    public void close() {
        Procs.terminate(process, Duration.ofSeconds(5));
        Procs.deleteTree(runtimeDir);
    }

    @Override
    public String toString() {
        String socket = socketName();
        return name + " on " + (socket == null ? runtimeDir : socketPath()) + " (pid " + process.pid() + ", log " + log + ")";
    }
}
