package dev.crossway.testsuite.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Process plumbing shared by the rig classes: environments, log files, bounded waits, teardown. Only
 * {@link #sleep} is for the suites too.
 */
public final class Procs {
    private static final AtomicInteger LOG_SEQUENCE = new AtomicInteger();
    // Fine enough for start-up figures (bench reads the time to the daemon's listening line through it).
    private static final Duration POLL = Duration.ofMillis(5);

    private Procs() {}

    /** The environment for a Wayland process: inherited, minus any display, plus the given entries. */
    static void waylandEnv(ProcessBuilder pb, Path runtimeDir, String display, Map<String, String> extra) {
        Map<String, String> env = pb.environment();
        env.remove("WAYLAND_DISPLAY");
        env.remove("WAYLAND_SOCKET");
        env.remove("WAYLAND_DEBUG");
        env.remove("DISPLAY");
        env.put("XDG_RUNTIME_DIR", runtimeDir.toString());
        if (display != null) {
            env.put("WAYLAND_DISPLAY", display);
        }
        env.putAll(extra);
    }

    /** A new log file under the directory named by {@code crossway.it.logs} (kept after the run). */
    static Path newLog(String name) {
        String dir = System.getProperty("crossway.it.logs");
        Path logs = dir != null ? Paths.get(dir) : Paths.get(System.getProperty("java.io.tmpdir"), "crossway-it-logs");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return logs.resolve(String.format("%03d-%s.log", LOG_SEQUENCE.incrementAndGet(), name));
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            // A log being written may end inside a multi-byte character.
            try {
                return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            } catch (IOException again) {
                throw new UncheckedIOException(again);
            }
        }
    }

    /** The last {@code n} lines of a text, indented, for error messages. */
    static String tail(String text, int n) {
        List<String> lines = text.lines().toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - n), lines.size());
        if (last.isEmpty()) {
            return "    (empty)";
        }
        return "    " + String.join("\n    ", last);
    }

    /**
     * Polls {@code done} until it holds; fails with {@code what} and the log's tail after {@code timeout},
     * or at once when {@code process} has exited.
     */
    static void await(String what, Duration timeout, Process process, BooleanSupplier done, Supplier<String> log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (process != null && !process.isAlive()) {
                if (done.getAsBoolean()) {
                    return;
                }
                throw new IllegalStateException(what + ": the process exited with status " + process.exitValue()
                        + " first; last lines of its log:\n" + tail(log.get(), 30));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": still not the case after " + timeout.toMillis()
                        + " ms; last lines of the log:\n" + tail(log.get(), 30));
            }
            sleep(POLL);
        }
    }

    /** {@link Thread#sleep}, with an interrupt turned into an unchecked exception (the interrupt status kept). */
    public static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** SIGTERM to the process and its descendants, then SIGKILL after {@code grace}. */
    static void terminate(Process process, Duration grace) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code program} is an executable file in one of the PATH's directories. */
    static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
