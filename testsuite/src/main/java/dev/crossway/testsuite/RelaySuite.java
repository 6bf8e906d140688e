package dev.crossway.testsuite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.testsuite.rig.ClientRun;
import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Daemon;
import dev.crossway.testsuite.rig.Display;
import dev.crossway.testsuite.rig.Png;
import dev.crossway.testsuite.rig.ProcStats;
import dev.crossway.testsuite.rig.Procs;
import dev.crossway.testsuite.rig.StoppableClient;
import dev.crossway.testsuite.rig.Sway;
import dev.crossway.testsuite.rig.Weston;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crossway in front of real headless compositors (weston 10, sway 1.7), driven by real clients: what the
 * clients see, what reaches the compositor, and what the daemon holds afterwards. Written once; every
 * transport runs it.
 */
public abstract class RelaySuite extends AbstractSuite {
    /**
     * weston 10's privileged globals, hidden by Crossway's default policy: compositor-debug, input-injection,
     * desktop-control and screen-capture. Everything else weston offers is ordinary.
     */
    public static final Set<String> WESTON_PRIVILEGED = Set.of("weston_debug_v1", "zwp_input_panel_v1", "weston_desktop_shell",
            "weston_screenshooter");
    private static final String DATA_CONTROL = "zwlr_data_control_manager_v1";
    /** sway 1.7's privileged globals: all but these 13 of its 38 are ordinary. */
    public static final Set<String> SWAY_PRIVILEGED = Set.of("zwlr_gamma_control_manager_v1", "org_kde_kwin_idle", "zwlr_layer_shell_v1",
            "zwlr_output_manager_v1", "zwlr_output_power_manager_v1", "zwp_input_method_manager_v2",
            "zwlr_foreign_toplevel_manager_v1", "zwlr_export_dmabuf_manager_v1", "zwlr_screencopy_manager_v1", DATA_CONTROL,
            "zwp_virtual_keyboard_manager_v1", "zwlr_virtual_pointer_manager_v1", "zwlr_input_inhibit_manager_v1");
    /** What Crossway adds on sway, which has only the zwp primary selection: GTK 3's name for it. */
    private static final Map<String, Integer> ALIAS = Map.of("gtk_primary_selection_device_manager", 1);
    /** weston-simple-shm draws a 250x250 window. */
    private static final int SIMPLE_SHM_PIXELS = 250 * 250;
    private static final int SHM_CLIENTS = 20;
    /**
     * A daemon that hides one more global and tags titles, for the tests of either: one set of arguments, so a
     * transport whose daemons are dear to start (a VM's) starts one for both.
     */
    private static final String[] DENY_AND_TAG = {"--deny", "wp_presentation", "--tag", "[vm] "};

    private List<Clients.Global> globals(Display d) {
        Clients.Result r = d.run(rig().clientTimeout(), "wayland-info");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return Clients.parseGlobals(r.stdout());
    }

    private static Set<String> names(List<Clients.Global> globals) {
        return new TreeSet<>(Clients.versionsByName(globals).keySet());
    }

    /** {@code privileged}, plus what the transport cannot carry of what the compositor offers. */
    private Set<String> hidden(Set<String> privileged, List<Clients.Global> offered) {
        Set<String> hidden = new TreeSet<>(privileged);
        rig().uncarriedGlobals().stream().filter(names(offered)::contains).forEach(hidden::add);
        return hidden;
    }

    @Test
    public void relaysTheHostsOrdinaryGlobalsAtTheHighestVersionBothKnow() {
        Weston w = weston("globals-host");
        List<Clients.Global> direct = globals(w.display());
        Set<String> hidden = hidden(WESTON_PRIVILEGED, direct);

        Daemon cw = crossway(w.socketPath());
        int before = cw.closedClients().size();
        List<Clients.Global> relayed = globals(cw.clients());
        GlobalsCheck.assertRelayed(direct, relayed, hidden, Map.of());
        for (String name : WESTON_PRIVILEGED) {
            assertThat(cw.log()).as("Crossway's log says why " + name + " is hidden")
                    .containsOnlyOnce("hiding " + name + " from guest apps: privileged, class ");
        }
        String closed = closedAfter(cw, before, 1, rig().clientTimeout()).get(0);
        System.out.println(closed);
        assertThat(closed).contains("globals " + relayed.size() + " of " + direct.size() + " relayed");
        assertThat(closed).contains(hidden);

        Daemon denying = crossway(w.socketPath(), DENY_AND_TAG);
        Set<String> hiddenWhenDenied = names(direct);
        hiddenWhenDenied.removeAll(names(globals(denying.clients())));
        System.out.println("with --deny wp_presentation, hidden " + hiddenWhenDenied);
        Set<String> expected = new TreeSet<>(hidden);
        expected.add("wp_presentation");
        assertThat(hiddenWhenDenied).isEqualTo(expected);
    }

    @Test
    public void onSwayAGuestSeesTheOrdinaryGlobalsPlusTheAliasAndGrantsAddTheirClass() {
        Sway sway = sway();
        List<Clients.Global> direct = globals(sway.display());
        Set<String> hidden = hidden(SWAY_PRIVILEGED, direct);
        Daemon plain = crossway(sway.socketPath());
        GlobalsCheck.assertRelayed(direct, globals(plain.clients()), hidden, ALIAS);
        for (String name : SWAY_PRIVILEGED) {
            assertThat(plain.log()).contains("hiding " + name + " from guest apps: privileged, class ");
        }
        Daemon granted = crossway(sway.socketPath(), "--grant", "clipboard");
        Set<String> hiddenWhenGranted = new TreeSet<>(hidden);
        hiddenWhenGranted.remove(DATA_CONTROL);
        GlobalsCheck.assertRelayed(direct, globals(granted.clients()), hiddenWhenGranted, ALIAS);
    }

    @Test
    public void globalsCommandShowsWhatAGuestSeesOfEachGlobalAndWhy() {
        Weston w = weston("globals-cmd-host");
        Daemon cw = crossway(w.socketPath());
        Map<String, Integer> relayed = Clients.versionsByName(globals(cw.clients()));
        List<Clients.Global> direct = globals(w.display());
        Set<String> hidden = hidden(WESTON_PRIVILEGED, direct);
        Clients.Result r = rig().runCrossway(w.socketPath(), List.of("globals"), rig().clientTimeout());
        System.out.println("crossway globals:\n" + r.stdout());
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).contains(direct.size() + " globals, " + relayed.size() + " shown to guest apps");
        for (Clients.Global g : direct) {
            String line = r.stdout().lines().filter(l -> l.matches("\\s*" + g.id() + "\\s+" + g.name() + "\\s.*")).findFirst()
                    .orElseThrow(() -> new AssertionError("no line for " + g + " in:\n" + r.stdout()));
            if (hidden.contains(g.name())) {
                assertThat(line).as(line).matches(".*\\s" + g.version() + "\\s+-\\s+\\S+\\s+hidden: \\S.*");
            } else {
                assertThat(line).as(line).matches(".*\\s" + g.version() + "\\s+" + relayed.get(g.name()) + "\\s+ordinary");
            }
        }
        assertThat(r.stdout()).containsPattern("weston_debug_v1 .* compositor-debug +hidden: privileged, class compositor-debug");
    }

    @Test
    public void shmClientDrawsOnTheHost(@TempDir Path tmp) {
        Weston w = weston("shm-host");
        Daemon cw = crossway(w.socketPath());
        Png before = w.settledScreenshot(tmp.resolve("before.png"), Duration.ofSeconds(10));

        StoppableClient shm = stoppable(cw.clients(), rig().clientTimeout(), "weston-simple-shm");
        int[] changed = {0};
        shm.await("a window of weston-simple-shm on the host", rig().clientStart().plusSeconds(20), () -> {
            changed[0] = Png.read(w.screenshot(tmp.resolve("during.png"))).countDifferent(before);
            return changed[0] >= SIMPLE_SHM_PIXELS / 2;
        });
        Clients.Result r = shm.stopAndAwait();
        System.out.println("weston-simple-shm through Crossway: " + changed[0] + " pixels changed on the host (window "
                + SIMPLE_SHM_PIXELS + "); " + r.describe());
        assertThat(r.stdout()).as("still running when stopped: " + r.describe() + "\n  Crossway's log: " + cw.logFile())
                .contains("interrupted");
        assertThat(r.exitCode()).as(r.describe()).isZero();
    }

    @Test
    public void titleTagReachesTheCompositor() {
        Weston w = weston("tag-host", Map.of("WAYLAND_DEBUG", "server"));
        // Control: the title weston-simple-shm sets by itself, seen by weston.
        Clients.Result direct = w.display().run(rig().clientTimeout(), "timeout", "-s", "INT", "1", "weston-simple-shm");
        assertThat(direct.exitCode()).as(direct.describe()).isEqualTo(124);
        assertThat(w.log()).contains("set_title(\"simple-shm\")");

        Daemon cw = crossway(w.socketPath(), DENY_AND_TAG);
        StoppableClient shm = stoppable(cw.clients(), rig().clientTimeout(), "weston-simple-shm");
        shm.await("the tagged title in weston's log", rig().clientStart().plusSeconds(20),
                () -> w.log().contains("set_title(\"[vm] simple-shm\")"));
        Clients.Result r = shm.stopAndAwait();
        List<String> titles = w.log().lines().filter(l -> l.contains("set_title(")).map(String::strip).toList();
        System.out.println("titles weston received: " + titles);
        assertThat(r.stdout()).as(r.describe()).contains("interrupted");
        assertThat(titles).as("every title through Crossway carries the tag")
                .allSatisfy(t -> assertThat(t).matches(".*set_title\\(\"(\\[vm] )?simple-shm\"\\)"))
                .anySatisfy(t -> assertThat(t).contains("set_title(\"[vm] simple-shm\")"));
    }

    @Test
    public void manyClientsLeaveNothingBehind() {
        Weston w = weston("many-host");
        Daemon cw = crossway(w.socketPath());
        Display guest = cw.clients();
        // Warm up once, so what is made lazily for the first clients is in the baseline.
        int closed = cw.closedClients().size();
        assertThat(guest.run(rig().clientTimeout(), "wayland-info").exitCode()).isZero();
        StoppableClient warm = stoppable(guest, rig().clientTimeout(), "weston-simple-shm");
        warm.await("a session for the warm-up client", rig().clientStart().plusSeconds(20), () -> sessions(cw) > 0);
        assertThat(warm.stopAndAwait().stdout()).contains("interrupted");
        closedAfter(cw, closed, 2, rig().clientTimeout());
        ProcStats baseline = awaitNoSessions(cw);

        List<StoppableClient> shm = new ArrayList<>();
        for (int i = 0; i < SHM_CLIENTS; i++) {
            shm.add(stoppable(guest, rig().clientTimeout().multipliedBy(2), "weston-simple-shm"));
        }
        ClientRun info = guest.start(dev.crossway.testsuite.rig.ClientCommand.of(rig().clientTimeout(), "wayland-info"));
        // Reading the daemon's /proc is a guest command in a VM: poll it at a tenth of a client's start there.
        Duration poll = Duration.ofMillis(Math.max(100, rig().clientStart().toMillis() / 10));
        long deadline = System.nanoTime() + rig().clientStart().multipliedBy(3).plusSeconds(30).toNanos();
        ProcStats during = baseline;
        while (true) {
            ProcStats s = cw.stats();
            during = s.threads() > during.threads() ? s : during; // the sample that ends the wait counts too
            if (info.isDone() && sessions(s) >= SHM_CLIENTS) {
                break;
            }
            assertThat(System.nanoTime()).as(SHM_CLIENTS + " sessions at once in time; the daemon's threads: " + s.threadNames())
                    .isLessThan(deadline);
            Procs.sleep(poll);
        }
        List<Clients.Result> results = new ArrayList<>();
        shm.forEach(StoppableClient::stop);
        for (StoppableClient c : shm) {
            results.add(c.stopAndAwait());
        }
        for (Clients.Result r : results) {
            assertThat(r.stdout()).as("still running when stopped: " + r.describe()).contains("interrupted");
            assertThat(r.exitCode()).as(r.describe()).isZero();
        }
        Clients.Result infoResult = info.await();
        assertThat(infoResult.exitCode()).as(infoResult.describe()).isZero();
        List<String> lines = cw.awaitClosedClients(closed + 2 + SHM_CLIENTS + 1, rig().clientTimeout());

        ProcStats after = awaitBaseline(cw, baseline, poll);
        System.out.println("Crossway with " + (SHM_CLIENTS + 1) + " clients at once: baseline " + baseline + ", busiest " + during
                + ", after " + after + "; last closed: " + lines.get(lines.size() - 1));
        assertThat(during.threads()).as("threads while the clients ran").isGreaterThan(baseline.threads());
        assertThat(after.openFds()).as("open fds after all clients left (baseline " + baseline.openFds() + ")")
                .isLessThanOrEqualTo(baseline.openFds());
        assertThat(after.threads()).as("threads after all clients left; new ones: " + newThreads(baseline, after))
                .isLessThanOrEqualTo(baseline.threads());
        assertThat(after.rssKiB()).as("RSS in KiB (baseline " + baseline.rssKiB() + ")")
                .isLessThanOrEqualTo(baseline.rssKiB() + 64 * 1024);
    }

    /** Client sessions the daemon serves: each has two relay threads named {@code crossway-client-N-...} (15 characters in /proc). */
    static long sessions(ProcStats s) {
        return s.threadNames().stream().filter(n -> n.startsWith("crossway-clien")).count() / 2;
    }

    private static long sessions(Daemon d) {
        return sessions(d.stats());
    }

    /**
     * The daemon's stats once it serves no client and holds no more fds and threads than at {@code baseline},
     * or after 20 s (threads of a pool, such as the host check's probes, end 10 s after their last use).
     */
    static ProcStats awaitBaseline(Daemon d, ProcStats baseline, Duration poll) {
        ProcStats after = awaitNoSessions(d);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while ((after.openFds() > baseline.openFds() || after.threads() > baseline.threads()) && System.nanoTime() < deadline) {
            Procs.sleep(poll);
            after = d.stats();
        }
        return after;
    }

    /** Threads in {@code after} that {@code baseline} did not have, by name. */
    static List<String> newThreads(ProcStats baseline, ProcStats after) {
        List<String> added = new ArrayList<>(after.threadNames());
        baseline.threadNames().forEach(added::remove);
        return added;
    }

    /** The daemon's stats once it serves no client. */
    static ProcStats awaitNoSessions(Daemon d) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            ProcStats s = d.stats();
            if (sessions(s) == 0) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Crossway still serves " + sessions(s) + " client(s) after 30 s: " + s.threadNames());
            }
            Procs.sleep(Duration.ofMillis(200));
        }
    }

    @Test
    public void runsACommandAndExitsWithItsStatus() {
        Weston w = weston("run-host");
        Clients.Result r = rig().runCrossway(w.socketPath(), List.of("--", "sh", "-c", "wayland-info && exit 3"), rig().clientTimeout());
        System.out.println("crossway ... -- sh -c 'wayland-info && exit 3': exit " + r.exitCode() + " after " + r.elapsed().toMillis()
                + " ms");
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(3);
        assertThat(r.stdout()).as(r.describe()).contains("interface: 'wl_compositor'");
    }
}
