package dev.crossway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Crossway;
import dev.crossway.testsuite.rig.Distributions;
import dev.crossway.testsuite.rig.Started;
import dev.crossway.testsuite.rig.Weston;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The daemon's own socket, whatever the transport (loopback here): a stale socket replaced, a live one
 * refused, and SIGTERM leaving nothing behind.
 */
class DaemonIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final Started started = new Started();

    @BeforeAll
    static void needsWestonAndTheDistribution() {
        List<String> missing = Weston.missingTools();
        assumeTrue(missing.isEmpty(), () -> "not installed: " + missing + " (scripts/test installs them)");
        Distributions.launcher(); // fails, not skips, when the distribution was not built
    }

    @AfterEach
    void stopAll() throws Exception {
        started.close();
    }

    private static List<String> args(Weston w, String socket) {
        return List.of("--transport", "loopback", "--host-display", w.socketName(), "--socket", socket);
    }

    @Test
    void replacesAStaleSocketAndRefusesALiveOne() throws IOException {
        Weston w = started.add(Weston.start("it-sock-host"));
        // A socket file nobody listens on, and no lock: what a crashed daemon leaves.
        Path stale = w.runtimeDir().resolve("it-stale");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists();
        Crossway fresh = started.add(Crossway.start(w.runtimeDir(), args(w, "it-stale"), Map.of()));
        assertThat(fresh.socketPath()).isEqualTo(stale);
        assertThat(Clients.run(w.runtimeDir(), "it-stale", TIMEOUT, "wayland-info").exitCode()).isZero();

        Crossway live = started.add(Crossway.start(w.runtimeDir(), args(w, "it-live"), Map.of()));
        Clients.Result second = Crossway.run(w.runtimeDir(), args(w, "it-live"), Map.of(), TIMEOUT);
        System.out.println("a second Crossway on it-live: exit " + second.exitCode() + ", says: "
                + (second.stdout() + second.stderr()).strip().lines().reduce((a, b) -> b).orElse(""));
        assertThat(second.exitCode()).as(second.describe()).isNotZero();
        assertThat(second.stdout() + second.stderr()).as(second.describe()).contains("it-live");
        assertThat(live.isAlive()).isTrue();
        Clients.Result stillServed = Clients.run(w.runtimeDir(), "it-live", TIMEOUT, "wayland-info");
        assertThat(stillServed.exitCode()).as("the first Crossway still serves it-live: " + stillServed.describe()).isZero();
    }

    @Test
    void sigtermRemovesTheSocketAndItsLock() {
        Weston w = started.add(Weston.start("it-stop-host"));
        Crossway cw = started.add(Crossway.start(w.runtimeDir(), args(w, "it-stop"), Map.of()));
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
