package dev.crossway.testsuite.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A process left running on this machine while a test or a benchmark looks at what it does: a client
 * (a GTK window, say), or a proxy to measure. Its stdout and stderr go to one log under
 * {@code crossway.it.logs}; {@link #close()} ends it and its descendants.
 */
public final class Background implements ClientRun, AutoCloseable {
    private final Process process;
    private final List<String> command;
    private final Path log;
    private final Duration timeout;
    private final long started = System.nanoTime();

    private Background(Process process, List<String> command, Path log, Duration timeout) {
        this.process = process;
        this.command = command;
        this.log = log;
        this.timeout = timeout;
    }

    /** Starts {@code command} with {@code WAYLAND_DISPLAY=display} (none when null), {@code XDG_RUNTIME_DIR=runtimeDir} and {@code env}. */
    public static Background start(Path runtimeDir, String display, Map<String, String> env, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        Procs.waylandEnv(pb, runtimeDir, display, env);
        return start(pb, null, null, Duration.ofHours(1));
    }

    /**
     * Starts a prepared process with stdin from {@code stdin} and stdout to {@code stdout} (null: none, and the
     * log); {@link #await()} waits at most {@code timeout}.
     */
    static Background start(ProcessBuilder pb, Path stdin, Path stdout, Duration timeout) {
        Path log = Procs.newLog(Path.of(pb.command().get(0)).getFileName().toString());
        if (stdout != null) {
            pb.redirectOutput(stdout.toFile()).redirectError(log.toFile());
        } else {
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(stdin != null ? stdin.toFile() : new java.io.File("/dev/null")));
        try {
            return new Background(pb.start(), List.copyOf(pb.command()), log, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + pb.command(), e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything it has printed so far: stdout and stderr together, or only stderr when stdout goes to a file. */
    public String log() {
        return Procs.read(log);
    }

    @Override
    public String stdout() {
        return log();
    }

    @Override
    public boolean isDone() {
        return !process.isAlive();
    }

    /** Waits until {@code done}, failing early if the process exits first. */
    public void await(String what, Duration timeout, BooleanSupplier done) {
        Procs.await(what, timeout, process, done, this::log);
    }

    @Override
    public Clients.Result await() {
        try {
            boolean done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Clients.Result r = new Clients.Result(command, done ? process.exitValue() : -1, log(), "(with stdout)",
                    Duration.ofNanos(System.nanoTime() - started));
            if (!done) {
                close();
                throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms: " + r.describe());
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + command, e);
        }
    }

    @Override
    public void close() {
        Procs.terminate(process, Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return String.join(" ", command) + " (pid " + process.pid() + ", log " + log + ")";
    }
}
