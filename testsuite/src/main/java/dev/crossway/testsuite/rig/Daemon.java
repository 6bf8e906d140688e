package dev.crossway.testsuite.rig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Crossway daemon on the transport under test, as the suites observe it: where its clients run, its log
 * and its {@code client N closed: ...} lines, and what it holds. Where starting one is dear (a VM's JVM)
 * a daemon may serve several tests, so the suites count closed clients from what they saw before.
 */
public interface Daemon extends AutoCloseable {
    /** Where this daemon's clients run, with {@code WAYLAND_DISPLAY} at its socket. */
    Display clients();

    /** Everything the daemon has logged so far. */
    String log();

    Path logFile();

    /** Waits until at least {@code n} clients have logged their {@code closed:} line; returns all such lines. */
    List<String> awaitClosedClients(int n, Duration timeout);

    /** Open fds, threads and resident memory of the daemon. */
    ProcStats stats();

    boolean isAlive();

    /** Stops the daemon, unless it is shared by several tests. */
    @Override
    void close();

    /** The {@code client N closed: ...} lines logged so far, from {@code client} on. */
    default List<String> closedClients() {
        return closedClients(log());
    }

    /** The {@code client N closed: ...} lines of a daemon's log, from {@code client} on. */
    static List<String> closedClients(String log) {
        Pattern closed = Pattern.compile("client \\d+ closed:");
        List<String> lines = new ArrayList<>();
        for (String line : log.lines().toList()) {
            Matcher m = closed.matcher(line);
            if (m.find()) {
                lines.add(line.substring(m.start()));
            }
        }
        return lines;
    }
}
