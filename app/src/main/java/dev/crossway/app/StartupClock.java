package dev.crossway.app;

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
     * {@code command line 150 ms, settings 30 ms, ...; main to ready 300 ms}: each mark measured from the one
     * before. Time before {@code main} (JVM start, module resolution) is not seen here; the benchmark
     * harness measures from the launch.
     */
    static synchronized String summary() {
        if (NAMES.isEmpty()) {
            return "no marks";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < NAMES.size(); i++) {
            sb.append(i == 1 ? "" : ", ").append(NAMES.get(i)).append(' ').append((TIMES.get(i) - TIMES.get(i - 1)) / 1_000_000).append(" ms");
        }
        return sb.append("; ").append(NAMES.get(0)).append(" to ").append(NAMES.get(NAMES.size() - 1)).append(' ')
                .append((TIMES.get(TIMES.size() - 1) - TIMES.get(0)) / 1_000_000).append(" ms").toString();
    }
}
