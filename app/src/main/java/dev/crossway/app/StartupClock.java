package dev.crossway.app;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Where start-up time goes: named marks, printed at debug level once the daemon serves (and read by
 * the benchmark harness), so a change that slows start-up shows which phase it slowed.
 */
final class StartupClock {
    private static final List<String> NAMES = new ArrayList<>();
    private static final List<Long> TIMES = new ArrayList<>();

    private StartupClock() {
    }

    static synchronized void mark(String name) {
        NAMES.add(name);
        TIMES.add(System.nanoTime());
    }

    /**
     * {@code process start to main ~120 ms, settings 80 ms, socket 5 ms, ...}: the first mark is measured
     * from the process's start time ({@code /proc}, 10 ms resolution), the others from the mark before.
     */
    static synchronized String summary() {
        StringBuilder sb = new StringBuilder();
        if (NAMES.isEmpty()) {
            return "no marks";
        }
        Instant start = ProcessHandle.current().info().startInstant().orElse(null);
        if (start != null) {
            long sinceStart = Duration.between(start, Instant.now()).toMillis() - (System.nanoTime() - TIMES.get(0)) / 1_000_000;
            sb.append("process start to ").append(NAMES.get(0)).append(" ~").append(sinceStart).append(" ms");
        }
        for (int i = 1; i < NAMES.size(); i++) {
            sb.append(sb.length() == 0 ? "" : ", ").append(NAMES.get(i)).append(' ')
                    .append((TIMES.get(i) - TIMES.get(i - 1)) / 1_000_000).append(" ms");
        }
        sb.append("; ").append(NAMES.get(0)).append(" to ").append(NAMES.get(NAMES.size() - 1)).append(' ')
                .append((TIMES.get(TIMES.size() - 1) - TIMES.get(0)) / 1_000_000).append(" ms");
        return sb.toString();
    }
}
