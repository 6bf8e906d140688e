package dev.crossway.testsuite.client;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * {@code wl_display.sync} round trips back to back, the way a client that renders every frame waits for
 * its compositor, each one timed.
 */
public final class RoundTrips {
    private RoundTrips() {
    }

    /** Round-trip times in microseconds. */
    public record Stats(int count, double p50, double p99, double max) {
        static Stats of(long[] nanos, int count) {
            if (count == 0) {
                return new Stats(0, 0, 0, 0);
            }
            long[] s = Arrays.copyOf(nanos, count);
            Arrays.sort(s);
            return new Stats(count, s[count / 2] / 1e3, s[(int) Math.min(count - 1, (long) (count * 0.99))] / 1e3, s[count - 1] / 1e3);
        }

        /** {@code count=N p50_us=... p99_us=... max_us=...}: what the programs print, and {@link #parse} reads. */
        public String line() {
            return String.format(Locale.ROOT, "count=%d p50_us=%.1f p99_us=%.1f max_us=%.1f", count, p50, p99, max);
        }

        /** The stats of a {@link #line()} within {@code text}. */
        public static Stats parse(String text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("count=(\\d+) p50_us=([0-9.]+) p99_us=([0-9.]+) max_us=([0-9.]+)")
                    .matcher(text);
            if (!m.find()) {
                throw new IllegalArgumentException("no round-trip stats in: " + text);
            }
            return new Stats(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
                    Double.parseDouble(m.group(4)));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d round trips, p50 %.0f us, p99 %.0f us, max %.1f ms", count, p50, p99, max / 1e3);
        }
    }

    /** {@code count} round trips after {@code min(2000, count)} warm-up ones (also for the JIT of whoever is in between). */
    public static Stats count(WaylandClient c, int count) throws IOException {
        for (int i = 0; i < Math.min(2000, count); i++) {
            c.roundtrip();
        }
        long[] ns = new long[count];
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            c.roundtrip();
            ns[i] = System.nanoTime() - t0;
        }
        return Stats.of(ns, count);
    }

    /** Round trips until {@code stop} holds. */
    public static Stats until(WaylandClient c, BooleanSupplier stop) throws IOException {
        long[] ns = new long[1 << 14];
        int n = 0;
        while (!stop.getAsBoolean()) {
            long t0 = System.nanoTime();
            c.roundtrip();
            if (n == ns.length) {
                ns = Arrays.copyOf(ns, n * 2);
            }
            ns[n++] = System.nanoTime() - t0;
        }
        return Stats.of(ns, n);
    }
}
