package dev.crossway.linux.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Leak checks on this process's fds, robust to the rest of the test JVM: earlier tests' threads may still
 * close their fds, and the JVM may open a jar for a class it loads for the first time. So a check compares
 * which fds are open (number and target, from {@code /proc/self/fd}), not how many, and waits a bounded time
 * for the code under test to finish closing.
 */
public final class OpenFds {
    private OpenFds() {
    }

    /** The fds open now: number to what it refers to ({@code socket:[123]}, a path, {@code anon_inode:...}). */
    public static Map<Integer, String> snapshot() {
        Map<Integer, String> open = new TreeMap<>();
        String listing = "/proc/" + ProcessHandle.current().pid() + "/fd";
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(p -> {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (!target.equals(listing)) { // the directory stream reading this very list
                        open.put(Integer.parseInt(p.getFileName().toString()), target);
                    }
                } catch (IOException e) {
                    // Closed while listing: not open any more.
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return open;
    }

    /** The fds open now that were not open, with the same target, in {@code before}; jars the JVM opened are not counted. */
    public static Map<Integer, String> openedSince(Map<Integer, String> before) {
        Map<Integer, String> opened = new TreeMap<>();
        snapshot().forEach((fd, target) -> {
            if (!target.equals(before.get(fd)) && !target.endsWith(".jar")) {
                opened.put(fd, target);
            }
        });
        return opened;
    }

    /**
     * Waits up to {@code timeout} until every fd opened since {@code before} is closed again.
     *
     * @throws AssertionError naming the fds still open, with their targets
     */
    public static void assertNoneOpenedSince(Map<Integer, String> before, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, String> opened = openedSince(before);
        while (!opened.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            opened = openedSince(before);
        }
        if (!opened.isEmpty()) {
            throw new AssertionError("fds leaked (still open " + timeout.toMillis() + " ms after the code under test ended): " + opened);
        }
    }
}
