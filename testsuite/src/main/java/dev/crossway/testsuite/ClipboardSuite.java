package dev.crossway.testsuite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.testsuite.client.RoundTrips;
import dev.crossway.testsuite.rig.ClientRun;
import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Daemon;
import dev.crossway.testsuite.rig.Display;
import dev.crossway.testsuite.rig.ProcStats;
import dev.crossway.testsuite.rig.Sway;
import dev.crossway.testsuite.rig.WlClipboard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clipboard and primary selection across Crossway, between wl-clipboard on the guest side (through
 * Crossway) and on the host side (directly on a headless sway 1.7), bit-exact by sha256. Written once;
 * every transport runs it.
 *
 * <p>Rig facts: sway offers {@code zwlr_data_control_manager_v1}, so host-side wl-copy/wl-paste use
 * data-control and need no focus. Through Crossway, where data-control is privileged (class clipboard) and
 * hidden unless granted, they fall back to a surface of their own, which needs keyboard focus, which needs a
 * keyboard on the seat: the class holds a virtual one ({@code wtype}) for its whole run. One sway and two
 * daemons (plain, and granted the clipboard class) serve every test, to keep the class short.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ClipboardSuite extends AbstractSuite {
    private static final long MIB = 1 << 20;
    private static final String GTK_MANAGER = "gtk_primary_selection_device_manager";
    private static final String ZWP_MANAGER = "zwp_primary_selection_device_manager_v1";
    private static final String DATA_CONTROL = "zwlr_data_control_manager_v1";

    private Sway sway;
    private Daemon crossway;
    /** A second daemon, granted the clipboard class (data-control): its clients need no focus. */
    private Daemon crosswayDc;
    private Display host;
    private Display guest;
    private Display guestDc;
    /** Where the transfers' files go: the guest's exchange directory, which the host side reaches too. */
    private Path tmp;
    private Path large;

    @BeforeAll
    public void startSwayAndCrossway() throws IOException {
        assumeRig();
        assumeSway();
        sway = Sway.start();
        System.out.println("started " + sway);
        // The whole class, with room: wtype holds its keyboard while it sleeps, and is killed at the end.
        sway.holdKeyboard(Duration.ofMinutes(30));
        crossway = rig().crossway(sway.socketPath(), List.of());
        crosswayDc = rig().crossway(sway.socketPath(), List.of("--grant", "clipboard"));
        host = sway.display();
        guest = crossway.clients();
        guestDc = crosswayDc.clients();
        tmp = Files.createTempDirectory(guest.exchange(), "clipboard-");
    }

    @AfterAll
    public void stopAll() throws IOException {
        if (tmp != null) { // in a daemon's directory, which may go with it
            try (var walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        if (crossway != null) {
            crossway.close();
        }
        if (crosswayDc != null) {
            crosswayDc.close();
        }
        if (sway != null) {
            WlClipboard.clear(host, false, rig().clientTimeout());
            WlClipboard.clear(host, true, rig().clientTimeout());
            sway.close();
        }
    }

    private Duration timeout() {
        return rig().clientTimeout();
    }

    /** Copies {@code data} on {@code from} and pastes it on {@code to}; returns the paste's result. */
    private Clients.Result transfer(Display from, Display to, Path data, boolean primary, Path out) {
        Clients.Result copy = WlClipboard.copy(from, data, primary, timeout());
        assertThat(copy.exitCode()).as(copy.describe() + "\n  Crossway's log: " + crossway.logFile()).isZero();
        Clients.Result paste = WlClipboard.paste(to, out, primary, timeout());
        assertThat(paste.exitCode()).as(paste.describe() + "\n  Crossway's log: " + crossway.logFile()).isZero();
        return paste;
    }

    private static void assertSameContent(Path expected, Path actual, String what) throws IOException {
        assertThat(Files.size(actual)).as(what + ": size").isEqualTo(Files.size(expected));
        assertThat(WlClipboard.sha256(actual)).as(what + ": sha256").isEqualTo(WlClipboard.sha256(expected));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {0, 1, 4095, 4096, 4097, 1 << 20})
    public void clipboardCrossesBothWaysBitExact(long size) throws IOException {
        Path data = WlClipboard.randomFile(tmp, size, size);
        Path out = tmp.resolve("out-" + size);
        for (Display[] way : new Display[][] {{guest, host}, {host, guest}}) {
            Clients.Result paste = transfer(way[0], way[1], data, false, out);
            assertSameContent(data, out, way[0] + " to " + way[1] + ", " + size + " B");
            System.out.println(way[0] + " -> " + way[1] + ": " + size + " B in " + paste.elapsed().toMillis() + " ms");
        }
        Files.delete(out);
        Files.delete(data);
    }

    @Test
    public void aLargeTransferCrossesBothWaysBitExactTimedAgainstDirect() throws IOException {
        Path data = largeFile();
        Path out = tmp.resolve("out-large");
        Map<String, Duration> times = new LinkedHashMap<>();
        for (Display[] way : new Display[][] {{host, host}, {guest, host}, {host, guest}}) {
            String label = way[0] == host && way[1] == host ? "direct (host to host on sway)" : way[0] + " to " + way[1];
            Clients.Result paste = transfer(way[0], way[1], data, false, out);
            assertSameContent(data, out, label + ", " + Files.size(data) / MIB + " MiB");
            times.put(label, paste.elapsed());
            Files.delete(out);
        }
        Duration guestToHost = times.get(guest + " to " + host);
        figure("clipboard guest → host, " + Files.size(data) / MIB + " MiB: host wl-paste (MiB/s)",
                String.format(java.util.Locale.ROOT, "%.1f", Files.size(data) / (double) MIB / (guestToHost.toNanos() / 1e9)),
                "run time of wl-paste on sway while wl-copy serves from the guest through Crossway; sha256 checked");
        double mib = Files.size(data) / (double) MIB;
        StringBuilder report = new StringBuilder(String.format("%.0f MiB clipboard transfer (wl-paste run time, %s):", mib, rig().name()));
        times.forEach((k, v) -> report.append(String.format("%n  %-30s %6d ms  (%.1f MiB/s)", k, v.toMillis(), mib / (v.toNanos() / 1e9))));
        System.out.println(report);
    }

    @Test
    public void primarySelectionCrossesBothWays() throws IOException {
        Path data = WlClipboard.randomFile(tmp, 4097, 7);
        Path out = tmp.resolve("out-primary");
        for (Display[] way : new Display[][] {{guest, host}, {host, guest}}) {
            transfer(way[0], way[1], data, true, out);
            assertSameContent(data, out, "primary " + way[0] + " to " + way[1]);
        }
        // The regular clipboard is a different selection: copying to primary did not touch it.
        Path other = WlClipboard.randomFile(tmp, 100, 8);
        transfer(host, guest, other, false, out);
        Clients.Result primaryAgain = WlClipboard.paste(guest, out, true, timeout());
        assertThat(primaryAgain.exitCode()).as(primaryAgain.describe()).isZero();
        assertSameContent(data, out, "primary after a clipboard copy");
    }

    /** The test client's round-trip loop on {@code d}, running until {@link RoundTripLoop#stop()}. */
    private final class RoundTripLoop {
        private final Path stop;
        private final ClientRun run;

        RoundTripLoop(Display d) {
            stop = tmp.resolve("stop-loop-" + System.nanoTime());
            run = d.startTestClient(timeout().multipliedBy(4), "roundtrip-loop", d.pathOf(stop));
            run.awaitStdout("the round-trip loop's start", out -> out.contains("started"), timeout());
        }

        RoundTrips.Stats stop() throws IOException {
            Files.write(stop, new byte[0]);
            Clients.Result r = run.await();
            assertThat(r.exitCode()).as(r.describe()).isZero();
            return RoundTrips.Stats.parse(r.stdout());
        }
    }

    /**
     * Ten pastes at once, five each way, through the data-control daemon, while a client keeps making round
     * trips through it: none of those waits for the transfers. Not through the focus fallback: there,
     * concurrent wl-paste windows take keyboard focus from each other, and wl-clipboard 2.1's wl-paste,
     * focused a second time (enter with a nil surface, after it destroyed its window) and sent a second
     * selection, calls receive again and then waits forever on a pipe whose write end it and its {@code cat}
     * child still hold (seen in /proc: no Crossway fd on that pipe). About one round in three of five
     * concurrent pastes hung that way; one at a time never does.
     */
    @Test
    public void tenTransfersAtOnceWhileAnotherClientKeepsRoundTripping() throws Exception {
        long size = rig().largeTransfer() / 8;
        Path clip = WlClipboard.randomFile(tmp, size, 11);
        Path prim = WlClipboard.randomFile(tmp, size, 12);
        // The guest serves the clipboard, the host the primary selection; five pastes of each at once:
        // five on the host read from the guest's wl-copy, five in the guest read from the host's.
        assertThat(WlClipboard.copy(guestDc, clip, false, timeout()).exitCode()).isZero();
        assertThat(WlClipboard.copy(host, prim, true, timeout()).exitCode()).isZero();

        RoundTripLoop renderer = new RoundTripLoop(guestDc);
        long start = System.nanoTime();
        List<ClientRun> pastes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            boolean toHost = i % 2 == 0;
            pastes.add(WlClipboard.startPaste(toHost ? host : guestDc, tmp.resolve("out-ten-" + i), !toHost, timeout()));
        }
        List<String> times = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Clients.Result r = pastes.get(i).await();
            assertThat(r.exitCode()).as(r.describe()).isZero();
            times.add((i % 2 == 0 ? "host" : "guest") + " " + r.elapsed().toMillis() + " ms");
        }
        long allMs = (System.nanoTime() - start) / 1_000_000;
        RoundTrips.Stats busy = renderer.stop();
        System.out.println("ten " + size / MIB + " MiB pastes at once (5 host<-guest clipboard, 5 guest<-host primary) done in "
                + allMs + " ms: " + times);
        System.out.println("round trips through Crossway during them: " + busy);
        for (int i = 0; i < 10; i++) {
            assertSameContent(i % 2 == 0 ? clip : prim, tmp.resolve("out-ten-" + i), "paste " + i);
            Files.delete(tmp.resolve("out-ten-" + i));
        }
        assertThat(busy.count()).as("round trips during the transfers").isPositive();
        // A relay that made round trips wait for the transfers would show one as long as (most of) all of them.
        long boundMicros = Math.max(1_000_000, allMs * 1000 / 2);
        assertThat(busy.max()).as("longest round trip (us) while ten transfers ran for " + allMs + " ms").isLessThan(boundMicros);
        WlClipboard.clear(host, false, timeout());
        WlClipboard.clear(host, true, timeout());
        Files.delete(clip);
        Files.delete(prim);
    }

    @Test
    public void readerLeavingMidTransferLeaksNothingAndOthersCarryOn() throws Exception {
        Path data = largeFile();
        // Quiet baseline: no guest wl-copy alive (a host copy replaces it), every guest session closed.
        assertThat(WlClipboard.copy(host, data, false, timeout()).exitCode()).isZero();
        assertThat(WlClipboard.clear(host, true, timeout()).exitCode()).isZero();
        ProcStats baseline = RelaySuite.awaitNoSessions(crossway);
        RoundTripLoop bystander = new RoundTripLoop(guest);
        // The guest reads 1000 bytes of the host's selection and goes away.
        Path head = tmp.resolve("head-guest");
        Clients.Result r = WlClipboard.pasteHead(guest, head, false, 1000, timeout());
        System.out.println("guest: wl-paste | head -c 1000 -> exit " + r.exitCode() + " after " + r.elapsed().toMillis() + " ms");
        assertThat(Files.size(head)).isEqualTo(1000);
        // The host reads 1000 bytes from a guest wl-copy and goes away.
        assertThat(WlClipboard.copy(guest, data, false, timeout()).exitCode()).isZero();
        Path headHost = tmp.resolve("head-host");
        Clients.Result r2 = WlClipboard.pasteHead(host, headHost, false, 1000, timeout());
        System.out.println("host: wl-paste | head -c 1000 -> exit " + r2.exitCode() + " after " + r2.elapsed().toMillis() + " ms");
        assertThat(Files.size(headHost)).isEqualTo(1000);
        assertThat(Files.readAllBytes(head)).isEqualTo(Files.readAllBytes(headHost));

        // The guest's wl-copy still serves: a full paste afterwards is bit-exact.
        Path out = tmp.resolve("out-after-head");
        Clients.Result full = WlClipboard.paste(host, out, false, timeout());
        assertThat(full.exitCode()).as(full.describe()).isZero();
        assertSameContent(data, out, "full paste after an aborted one");
        Files.delete(out);
        RoundTrips.Stats stats = bystander.stop();
        System.out.println("bystander session during the aborted transfers: " + stats);
        assertThat(stats.count()).isPositive();
        assertThat(crossway.isAlive()).isTrue();
        // End the guest's wl-copy (a host copy replaces its selection), then every session is gone.
        assertThat(WlClipboard.clear(host, false, timeout()).exitCode()).isZero();
        ProcStats after = RelaySuite.awaitBaseline(crossway, baseline, Duration.ofMillis(100));
        System.out.println("Crossway before: " + baseline + "; after: " + after);
        assertThat(after.openFds()).as("Crossway's open fds back to baseline").isEqualTo(baseline.openFds());
    }

    @Test
    public void gtkPrimarySelectionIsOfferedAsAnAliasOfTheHostsZwpOne() {
        Map<String, Integer> direct = Clients.versionsByName(Clients.parseGlobals(host.run(timeout(), "wayland-info").stdout()));
        assertThat(direct).containsKey(ZWP_MANAGER).doesNotContainKey(GTK_MANAGER);
        Clients.Result info = guest.run(timeout(), "wayland-info");
        List<Clients.Global> relayed = Clients.parseGlobals(info.stdout());
        System.out.println("through Crossway: " + relayed.stream().filter(g -> g.name().contains("primary_selection")).toList());
        Clients.Global zwp = relayed.stream().filter(g -> g.name().equals(ZWP_MANAGER)).findFirst().orElseThrow();
        assertThat(relayed).anySatisfy(g -> {
            assertThat(g.name()).isEqualTo(GTK_MANAGER);
            assertThat(g.version()).isEqualTo(1);
        });

        // The test client binds the alias, makes a source and offers a type; the host (which knows only zwp)
        // must take it all without a protocol error.
        Clients.Result r = guest.runTestClient(timeout(), "primary-selection-alias");
        System.out.println("primary-selection-alias: " + r.stdout().strip());
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).contains("alias_name=" + Integer.toUnsignedString(zwp.id() | 0x80000000) + " alias_version=1")
                .contains("error=none");
    }

    @Test
    public void dataControlIsRelayedWhenGrantedAndNeedsNoFocus() throws IOException {
        Map<String, Integer> relayed = Clients.versionsByName(Clients.parseGlobals(guestDc.run(timeout(), "wayland-info").stdout()));
        assertThat(relayed).containsEntry(DATA_CONTROL, 2);
        Map<String, Integer> plain = Clients.versionsByName(Clients.parseGlobals(guest.run(timeout(), "wayland-info").stdout()));
        assertThat(plain).as("not granted, the global is hidden").doesNotContainKey(DATA_CONTROL);

        Path data = WlClipboard.randomFile(tmp, MIB + 3, 21);
        Path out = tmp.resolve("out-dc");
        Display traced = guestDc.withEnv(Map.of("WAYLAND_DEBUG", "client"));
        for (boolean primary : new boolean[] {false, true}) {
            for (Display[] way : new Display[][] {{traced, host}, {host, traced}}) {
                Clients.Result copy = WlClipboard.copy(way[0], data, primary, timeout());
                assertThat(copy.exitCode()).as(copy.describe()).isZero();
                Clients.Result paste = WlClipboard.paste(way[1], out, primary, timeout());
                assertThat(paste.exitCode()).as(paste.describe()).isZero();
                String what = "data-control " + (primary ? "primary " : "") + way[0] + " to " + way[1];
                assertSameContent(data, out, what);
                String trace = (way[0] == traced ? copy : paste).stderr();
                assertThat(trace).as(what + ": the guest-side client used data-control").contains(DATA_CONTROL + "@");
                assertThat(trace).as(what + ": and made no surface (needs no focus)").doesNotContain("create_surface");
            }
        }
        Files.delete(out);
        Files.delete(data);
        WlClipboard.clear(host, false, timeout());
        WlClipboard.clear(host, true, timeout());
    }

    private Path largeFile() {
        if (large == null) {
            long start = System.nanoTime();
            large = WlClipboard.randomFile(tmp, rig().largeTransfer(), 256);
            System.out.println("generated " + rig().largeTransfer() / MIB + " MiB of random data in " + (System.nanoTime() - start) / 1_000_000
                    + " ms");
        }
        return large;
    }
}
