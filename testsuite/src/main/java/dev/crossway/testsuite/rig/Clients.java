package dev.crossway.testsuite.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs client programs on this machine to their end, and reads what {@code wayland-info} prints. */
public final class Clients {
    private static final Pattern GLOBAL =
            Pattern.compile("interface: '([^']+)',\\s*version:\\s*(\\d+),\\s*name:\\s*(\\d+)");

    private Clients() {}

    /** How a program ended. {@code exitCode} is 124 when it ran under {@code timeout} and was interrupted. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr, Duration elapsed) {
        /** A description for assertion messages: command, status, time and the ends of both streams. */
        public String describe() {
            return String.join(" ", command) + " -> exit " + exitCode + " after " + elapsed.toMillis() + " ms"
                    + "\n  stdout:\n" + Procs.tail(stdout, 15) + "\n  stderr:\n" + Procs.tail(stderr, 15);
        }
    }

    /** One line of {@code wayland-info}: {@code interface: 'NAME', version: N, name: M}. */
    public record Global(String name, int version, int id) {}

    /**
     * Runs {@code command} with {@code WAYLAND_DISPLAY=display} and {@code XDG_RUNTIME_DIR=runtimeDir}
     * and waits for it; a program still running after {@code timeout} is killed and reported as an error.
     */
    public static Result run(Path runtimeDir, String display, Duration timeout, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        Procs.waylandEnv(pb, runtimeDir, display, Map.of());
        return run(pb, null, null, timeout, null);
    }

    /**
     * Runs a prepared process to its end, with stdin from {@code stdin} and stdout to {@code stdout} (null:
     * none, and captured), bounded by {@code timeout}; {@code label}, if any, prefixes the command in messages.
     */
    static Result run(ProcessBuilder pb, Path stdin, Path stdout, Duration timeout, String label) {
        List<String> command = new ArrayList<>();
        if (label != null) {
            command.add("[" + label + "]");
        }
        command.addAll(pb.command());
        Path out = null;
        Path err = null;
        try {
            out = stdout != null ? stdout : Files.createTempFile("crossway-client-", ".out");
            err = Files.createTempFile("crossway-client-", ".err");
            pb.redirectInput(ProcessBuilder.Redirect.from(stdin != null ? stdin.toFile() : new java.io.File("/dev/null")));
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            long start = System.nanoTime();
            Process p = pb.start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            String text = stdout != null ? "(in " + stdout + ")" : Procs.read(out);
            if (!done) {
                Procs.terminate(p, Duration.ofSeconds(2));
                Result partial = new Result(command, -1, text, Procs.read(err), elapsed);
                throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms: " + partial.describe());
            }
            return new Result(command, p.exitValue(), text, Procs.read(err), elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (stdout == null) {
                deleteQuietly(out);
            }
            deleteQuietly(err);
        }
    }

    /** The globals listed in {@code wayland-info}'s output, in order. */
    public static List<Global> parseGlobals(String waylandInfoOutput) {
        List<Global> globals = new ArrayList<>();
        Matcher m = GLOBAL.matcher(waylandInfoOutput);
        while (m.find()) {
            globals.add(new Global(m.group(1), Integer.parseInt(m.group(2)), Integer.parseUnsignedInt(m.group(3))));
        }
        return globals;
    }

    /** Interface name to the highest version offered for it. */
    public static Map<String, Integer> versionsByName(List<Global> globals) {
        Map<String, Integer> byName = new LinkedHashMap<>();
        for (Global g : globals) {
            byName.merge(g.name(), g.version(), Math::max);
        }
        return byName;
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
