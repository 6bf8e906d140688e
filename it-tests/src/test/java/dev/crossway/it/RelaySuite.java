package dev.crossway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.it.rig.Clients;
import dev.crossway.it.rig.Crossway;
import dev.crossway.it.rig.Crossway.ProcStats;
import dev.crossway.it.rig.Png;
import dev.crossway.it.rig.Weston;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crossway in front of a real headless weston 10, driven by real clients: what the clients see, what
 * reaches the compositor, and what the daemon holds afterwards. Written once; every transport runs it
 * through a subclass that says how to start Crossway on it.
 */
abstract class RelaySuite {
    /**
     * weston 10's privileged globals, hidden by Crossway's default policy: compositor-debug, input-injection,
     * desktop-control and screen-capture. Everything else weston offers is ordinary.
     */
    static final Set<String> POLICY_HIDDEN = Set.of("weston_debug_v1", "zwp_input_panel_v1", "weston_desktop_shell",
            "weston_screenshooter");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    /** weston-simple-shm draws a 250x250 window. */
    private static final int SIMPLE_SHM_PIXELS = 250 * 250;

    private final List<AutoCloseable> started = new ArrayList<>();

    /** Arguments that select and configure the transport, with {@code w} as the host compositor. */
    abstract List<String> transportArgs(Weston w);

    /** Environment for the daemon (transport options without flags go here). */
    Map<String, String> transportEnv() {
        return Map.of();
    }

    /** The distribution to run. */
    Path home() {
        return Crossway.distribution();
    }

    /** The globals of weston this transport hides (beyond {@code --deny}). */
    abstract Set<String> expectedHidden();

    @BeforeAll
    static void needsWestonAndTheDistribution() {
        List<String> missing = Weston.missingTools();
        assumeTrue(missing.isEmpty(), () -> "not installed: " + missing + " (scripts/test installs them)");
        Crossway.launcher(); // fails, not skips, when the distribution was not built
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    private Weston weston(String name, Map<String, String> env) {
        Weston w = Weston.start(name, env);
        started.add(w);
        return w;
    }

    private Weston weston(String name) {
        return weston(name, Map.of());
    }

    private List<String> relayArgs(Weston w, String socket, String... extra) {
        List<String> args = new ArrayList<>(transportArgs(w));
        args.addAll(List.of("--socket", socket));
        args.addAll(List.of(extra));
        return args;
    }

    private Crossway relay(Weston w, String socket, String... extra) {
        Crossway c = Crossway.start(home(), w.runtimeDir(), relayArgs(w, socket, extra), transportEnv());
        started.add(c);
        System.out.println("started " + c);
        return c;
    }

    private static Clients.Result client(Weston w, String display, String... command) {
        return Clients.run(w.runtimeDir(), display, CLIENT_TIMEOUT, command);
    }

    private static List<Clients.Global> globals(Weston w, String display) {
        Clients.Result r = client(w, display, "wayland-info");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return Clients.parseGlobals(r.stdout());
    }

    private static Set<String> names(List<Clients.Global> globals) {
        return new TreeSet<>(Clients.versionsByName(globals).keySet());
    }

    @Test
    void relaysTheHostsOrdinaryGlobalsAtTheHighestVersionBothKnow() {
        Weston w = weston("it-globals-host");
        List<Clients.Global> direct = globals(w, w.socketName());

        Crossway cw = relay(w, "it-globals");
        List<Clients.Global> relayed = globals(w, cw.socketName());
        GlobalsCheck.assertRelayed(direct, relayed, expectedHidden(), Map.of());
        for (String name : POLICY_HIDDEN) {
            assertThat(cw.log()).as("Crossway's log says why " + name + " is hidden")
                    .containsOnlyOnce("hiding " + name + " from guest apps: privileged, class ");
        }
        String closed = cw.awaitClosedClients(1, Duration.ofSeconds(10)).get(0);
        System.out.println(closed);
        assertThat(closed).contains("globals " + relayed.size() + " of " + direct.size() + " relayed");
        assertThat(closed).contains(expectedHidden());

        Crossway denying = relay(w, "it-globals-deny", "--deny", "wp_presentation");
        Set<String> hiddenWhenDenied = new TreeSet<>(names(direct));
        hiddenWhenDenied.removeAll(names(globals(w, denying.socketName())));
        System.out.println("with --deny wp_presentation, hidden " + hiddenWhenDenied);
        Set<String> expected = new TreeSet<>(expectedHidden());
        expected.add("wp_presentation");
        assertThat(hiddenWhenDenied).isEqualTo(expected);
    }

    @Test
    void globalsCommandShowsWhatAGuestSeesOfEachGlobalAndWhy() {
        Weston w = weston("it-globals-cmd-host");
        Crossway cw = relay(w, "it-globals-cmd");
        Map<String, Integer> relayed = Clients.versionsByName(globals(w, cw.socketName()));
        List<Clients.Global> direct = globals(w, w.socketName());
        Clients.Result r = Crossway.run(home(), w.runtimeDir(), relayArgs(w, "unused", "globals"), transportEnv(), Duration.ofSeconds(60));
        System.out.println("crossway globals:\n" + r.stdout());
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).contains(direct.size() + " globals, " + relayed.size() + " shown to guest apps");
        for (Clients.Global g : direct) {
            String line = r.stdout().lines().filter(l -> l.matches("\\s*" + g.id() + "\\s+" + g.name() + "\\s.*")).findFirst()
                    .orElseThrow(() -> new AssertionError("no line for " + g + " in:\n" + r.stdout()));
            if (expectedHidden().contains(g.name())) {
                assertThat(line).as(line).matches(".*\\s" + g.version() + "\\s+-\\s+\\S+\\s+hidden: \\S.*");
            } else {
                assertThat(line).as(line).matches(".*\\s" + g.version() + "\\s+" + relayed.get(g.name()) + "\\s+ordinary");
            }
        }
        assertThat(r.stdout()).containsPattern("weston_debug_v1 .* compositor-debug +hidden: privileged, class compositor-debug");
    }

    @Test
    void shmClientDrawsOnTheHost(@TempDir Path tmp) throws Exception {
        Weston w = weston("it-shm-host");
        Crossway cw = relay(w, "it-shm");
        Png before = w.settledScreenshot(tmp.resolve("before.png"), Duration.ofSeconds(10));

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Clients.Result> shm = pool.submit(() ->
                    client(w, cw.socketName(), "timeout", "-s", "INT", "3", "weston-simple-shm"));
            Thread.sleep(2000);
            Png during = Png.read(w.screenshot(tmp.resolve("during.png")));
            Clients.Result r = shm.get();
            int changed = during.countDifferent(before);
            System.out.println("weston-simple-shm through Crossway: exit " + r.exitCode() + " after "
                    + r.elapsed().toMillis() + " ms; " + changed + " pixels changed on the host (window "
                    + SIMPLE_SHM_PIXELS + ")");
            assertThat(r.exitCode()).as("still running when interrupted (timeout's 124): " + r.describe()
                    + "\n  Crossway's log:\n" + cw.log()).isEqualTo(124);
            assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(changed).as("pixels that differ from the empty desktop").isGreaterThanOrEqualTo(SIMPLE_SHM_PIXELS / 2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void titleTagReachesTheCompositor() {
        Weston w = weston("it-tag-host", Map.of("WAYLAND_DEBUG", "server"));
        // Control: the title weston-simple-shm sets by itself, seen by weston.
        Clients.Result direct = client(w, w.socketName(), "timeout", "-s", "INT", "1", "weston-simple-shm");
        assertThat(direct.exitCode()).as(direct.describe()).isEqualTo(124);
        assertThat(w.log()).contains("set_title(\"simple-shm\")");

        Crossway cw = relay(w, "it-tag", "--tag", "[vm] ");
        Clients.Result r = client(w, cw.socketName(), "timeout", "-s", "INT", "1", "weston-simple-shm");
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(124);
        List<String> titles = w.log().lines().filter(l -> l.contains("set_title(")).map(String::strip).toList();
        System.out.println("titles weston received: " + titles);
        assertThat(w.log()).contains("set_title(\"[vm] simple-shm\")");
    }

    @Test
    void manyClientsLeaveNothingBehind() throws Exception {
        Weston w = weston("it-many-host");
        Crossway cw = relay(w, "it-many");
        // Warm up once, so what is made lazily for the first client is in the baseline.
        assertThat(client(w, cw.socketName(), "wayland-info").exitCode()).isZero();
        Clients.Result warm = client(w, cw.socketName(), "timeout", "-s", "INT", "1", "weston-simple-shm");
        assertThat(warm.exitCode()).as(warm.describe()).isEqualTo(124);
        cw.awaitClosedClients(2, Duration.ofSeconds(10));
        Thread.sleep(500);
        ProcStats baseline = cw.stats();

        int shmClients = 20;
        ExecutorService pool = Executors.newFixedThreadPool(shmClients + 1);
        ProcStats during;
        List<Clients.Result> results = new ArrayList<>();
        try {
            List<Future<Clients.Result>> futures = new ArrayList<>();
            for (int i = 0; i < shmClients; i++) {
                futures.add(pool.submit(() -> client(w, cw.socketName(), "timeout", "-s", "INT", "1", "weston-simple-shm")));
            }
            futures.add(pool.submit(() -> client(w, cw.socketName(), "wayland-info")));
            Thread.sleep(700);
            during = cw.stats();
            for (Future<Clients.Result> f : futures) {
                results.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        for (Clients.Result r : results.subList(0, shmClients)) {
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(124);
        }
        assertThat(results.get(shmClients).exitCode()).as(results.get(shmClients).describe()).isZero();
        List<String> closed = cw.awaitClosedClients(2 + shmClients + 1, Duration.ofSeconds(15));

        ProcStats after = cw.stats();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while ((after.openFds() > baseline.openFds() || after.threads() > baseline.threads()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            after = cw.stats();
        }
        System.out.println("Crossway with " + (shmClients + 1) + " clients at once: baseline " + baseline
                + ", during " + during + ", after " + after + "; " + closed.size() + " clients closed, last: "
                + closed.get(closed.size() - 1));
        List<String> newThreads = new ArrayList<>(after.threadNames());
        baseline.threadNames().forEach(newThreads::remove);
        assertThat(after.openFds()).as("open fds after all clients left (baseline " + baseline.openFds() + ")")
                .isLessThanOrEqualTo(baseline.openFds());
        assertThat(after.threads()).as("threads after all clients left; new ones: " + newThreads)
                .isLessThanOrEqualTo(baseline.threads());
        assertThat(after.rssKiB()).as("RSS in KiB (baseline " + baseline.rssKiB() + ")")
                .isLessThanOrEqualTo(baseline.rssKiB() + 64 * 1024);
    }

    @Test
    void runsACommandAndExitsWithItsStatus() {
        Weston w = weston("it-run-host");
        List<String> args = relayArgs(w, "it-run", "--", "wayland-info");
        Clients.Result info = Crossway.run(home(), w.runtimeDir(), args, transportEnv(), Duration.ofSeconds(60));
        System.out.println("crossway ... -- wayland-info: exit " + info.exitCode() + " after " + info.elapsed().toMillis() + " ms");
        assertThat(info.exitCode()).as(info.describe()).isZero();
        assertThat(info.stdout()).as(info.describe()).contains("interface: 'wl_compositor'");

        Clients.Result three = Crossway.run(home(), w.runtimeDir(), relayArgs(w, "it-run", "--", "sh", "-c", "exit 3"), transportEnv(),
                Duration.ofSeconds(60));
        System.out.println("crossway ... -- sh -c 'exit 3': exit " + three.exitCode());
        assertThat(three.exitCode()).as(three.describe()).isEqualTo(3);
    }

    @Test
    void replacesAStaleSocketAndRefusesALiveOne() throws IOException {
        Weston w = weston("it-sock-host");
        // A socket file nobody listens on, and no lock: what a crashed daemon leaves.
        Path stale = w.runtimeDir().resolve("it-stale");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists();
        Crossway fresh = relay(w, "it-stale");
        assertThat(fresh.socketPath()).isEqualTo(stale);
        assertThat(client(w, "it-stale", "wayland-info").exitCode()).isZero();

        Crossway live = relay(w, "it-live");
        Clients.Result second = Crossway.run(home(), w.runtimeDir(), relayArgs(w, "it-live"), transportEnv(), Duration.ofSeconds(60));
        System.out.println("a second Crossway on it-live: exit " + second.exitCode() + ", says: "
                + (second.stdout() + second.stderr()).strip().lines().reduce((a, b) -> b).orElse(""));
        assertThat(second.exitCode()).as(second.describe()).isNotZero();
        assertThat(second.stdout() + second.stderr()).as(second.describe()).contains("it-live");
        assertThat(live.isAlive()).isTrue();
        Clients.Result stillServed = client(w, "it-live", "wayland-info");
        assertThat(stillServed.exitCode()).as("the first Crossway still serves it-live: " + stillServed.describe()).isZero();
    }

    @Test
    void sigtermRemovesTheSocketAndItsLock() {
        Weston w = weston("it-stop-host");
        Crossway cw = relay(w, "it-stop");
        Path socket = cw.socketPath();
        assertThat(socket).exists();
        int status = cw.stop();
        assertThat(status).as("exit status after SIGTERM; log:\n" + cw.log()).isZero();
        assertThat(socket).doesNotExist();
        assertThat(Path.of(socket + ".lock")).doesNotExist();
        assertThat(Files.exists(w.socketPath())).as("weston's socket is untouched").isTrue();
        // The JVM's own warnings (e.g. native access on JDK 24+) mean the launcher's flags are wrong.
        assertThat(cw.log().lines().filter(l -> l.startsWith("WARNING: ")).toList()).as("JVM warnings in the log").isEmpty();
    }
}
