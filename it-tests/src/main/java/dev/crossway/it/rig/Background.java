package dev.crossway.it.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A client left running while a test looks at what it shows (a GTK window, say). Its output goes to a log
 * under {@code crossway.it.logs}; {@link #close()} ends it and its children.
 */
public final class Background implements AutoCloseable {
    private final Process process;
    private final Path log;

    private Background(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} with {@code WAYLAND_DISPLAY=display}, {@code XDG_RUNTIME_DIR=runtimeDir} and {@code env}. */
    public static Background start(Path runtimeDir, String display, Map<String, String> env, List<String> command) {
        Path log = Procs.newLog(Path.of(command.get(0)).getFileName().toString());
        ProcessBuilder pb = new ProcessBuilder(command);
        Procs.waylandEnv(pb, runtimeDir, display, env);
        pb.redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            return new Background(pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything it has printed so far. */
    public String log() {
        return Procs.read(log);
    }

    /** Waits until {@code done}, failing early if the client exits first. */
    public void await(String what, Duration timeout, java.util.function.BooleanSupplier done) {
        Procs.await(what, timeout, process, done, this::log);
    }

    @Override
    public void close() {
        Procs.terminate(process, Duration.ofSeconds(5));
    }
}
