package dev.crossway.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.testsuite.client.RoundTrips;
import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Weston;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Figures for docs/BENCHMARKS.md, taken on the real stack: round trips from a guest client through
 * Crossway, cross-domain and QEMU to weston, and the EXECBUFFERs Crossway submitted for them. Measured,
 * not asserted: the checks are only that the workload ran and the counters exist.
 */
@ExtendWith(VmTier.class)
class VmRoundTripIT {
    private static final int ROUND_TRIPS = 1000;
    private static final Pattern COUNTS = Pattern.compile("requests (\\d+) msgs/\\d+ B, events (\\d+) msgs/.*execbuffers (\\d+)");

    @Test
    void roundTripsThroughTheVmAreMeasured(VmSession session) {
        try (Weston w = Weston.start("vm-roundtrip")) {
            session.attach(w.socketPath());
            int closed = session.crossway().closedClients().size();
            // The test client's round trips: as many warm-up ones first, then ROUND_TRIPS timed ones.
            Clients.Result r = session.crossway().clients().runTestClient(Duration.ofMinutes(4), "roundtrips",
                    Integer.toString(ROUND_TRIPS));
            assertThat(r.exitCode()).as(r.describe()).isZero();
            RoundTrips.Stats stats = RoundTrips.Stats.parse(r.stdout());
            String line = session.crossway().awaitClosedClients(closed + 1, Duration.ofMinutes(1)).get(closed);
            Matcher c = COUNTS.matcher(line);
            assertThat(c.find()).as("message and EXECBUFFER counters in: " + line).isTrue();
            long messages = Long.parseLong(c.group(1)) + Long.parseLong(c.group(2));
            long execbuffers = Long.parseLong(c.group(3));
            assertThat(execbuffers).isPositive();
            System.out.println("round trips in the guest: " + r.stdout().strip() + "\n  " + line);
            String method = "the test client's `roundtrips` (Crossway's codec) in the guest's JVM, " + ROUND_TRIPS
                    + " `wl_display.sync` round trips after as many warm-up ones, through Crossway (virtgpu), QEMU's"
                    + " rutabaga cross-domain and weston headless here";
            Figures.record("round trip p50, guest client to weston (µs)", String.format(Locale.ROOT, "%.1f", stats.p50()), method);
            Figures.record("round trip p99, guest client to weston (µs)", String.format(Locale.ROOT, "%.1f", stats.p99()), method);
            Figures.record("EXECBUFFERs per relayed message (round-trip workload)",
                    String.format(Locale.ROOT, "%.3f", (double) execbuffers / messages),
                    "the daemon's close line for that client: execbuffers / (requests + events); " + execbuffers + " / " + messages);
        }
    }
}
