package dev.crossway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Crossway;
import dev.crossway.testsuite.rig.Distributions;
import dev.crossway.testsuite.rig.Started;
import dev.crossway.testsuite.rig.Weston;
import dev.crossway.linux.UnixDatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Crossway run the way a systemd user service runs it: socket-activated by the real
 * {@code systemd-socket-activate} (package systemd), reporting readiness to a real notify socket, and
 * logging to what {@code JOURNAL_STREAM} says is the journal.
 */
class SystemdIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final Started started = new Started();

    @BeforeAll
    static void needsTheTools() {
        List<String> missing = new ArrayList<>(Weston.missingTools());
        if (!onPath("systemd-socket-activate")) {
            missing.add("systemd-socket-activate (package systemd)");
        }
        assumeTrue(missing.isEmpty(), () -> "not installed: " + missing + " (scripts/test installs them)");
        Distributions.launcher();
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    @AfterEach
    void stopAll() throws Exception {
        started.close();
    }

    /** {@code systemd-socket-activate} listening on {@code socket} with fd name {@code name}, passing the variables Crossway needs. */
    private static List<String> activate(Path socket, String name) {
        return List.of("systemd-socket-activate", "--listen=" + socket, "--fdname=" + name,
                "-E", "XDG_RUNTIME_DIR", "-E", "NOTIFY_SOCKET", "-E", "JAVA_HOME", "-E", "JAVA_OPTS");
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(file)) {
            assertThat(System.nanoTime()).as(file + " did not appear").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void socketActivationServesThePassedSocketReportsReadyAndLeavesTheSocketToSystemd() throws Exception {
        Weston w = started.add(Weston.start("it-sd-host"));
        Path socket = w.runtimeDir().resolve("wayland-0");
        UnixDatagramSocket manager = started.add(UnixDatagramSocket.bind(w.runtimeDir().resolve("notify").toString()));
        Crossway cw = started.add(Crossway.launch(Distributions.built(), w.runtimeDir(), activate(socket, "wayland"),
                List.of("--transport", "loopback", "--host-display", w.socketName()), Map.of("NOTIFY_SOCKET", manager.address())));
        awaitFile(socket);
        assertThat(cw.log()).as("nothing runs Crossway before a client connects").doesNotContain("listening on");

        // The first client starts Crossway, which then serves it on the socket systemd made.
        Clients.Result first = Clients.run(w.runtimeDir(), "wayland-0", TIMEOUT, "wayland-info");
        assertThat(first.exitCode()).as(first.describe() + "\nCrossway's log:\n" + cw.log()).isZero();
        assertThat(first.stdout()).contains("interface: 'wl_compositor'");
        cw.awaitListening(TIMEOUT);
        System.out.println("activated: " + cw.log().lines().filter(l -> l.contains("listening on")).findFirst().orElse(""));
        assertThat(cw.socketPath()).isEqualTo(socket);
        assertThat(cw.log()).doesNotContain("removing stale socket");

        String ready = manager.receive((int) TIMEOUT.toMillis());
        System.out.println("notify socket received: " + String.valueOf(ready).replace("\n", "\\n"));
        assertThat(ready).startsWith("READY=1\nSTATUS=Serving " + socket + " through loopback to " + w.socketPath());

        Clients.Result second = Clients.run(w.runtimeDir(), "wayland-0", TIMEOUT, "wayland-info");
        assertThat(second.exitCode()).as(second.describe()).isZero();

        assertThat(cw.stop()).as("exit status after SIGTERM; log:\n" + cw.log()).isZero();
        assertThat(manager.receive((int) TIMEOUT.toMillis())).startsWith("STOPPING=1\n");
        assertThat(socket).as("the socket file is systemd's: Crossway leaves it").exists();
        assertThat(Path.of(socket + ".lock")).as("the lock Crossway took is gone").doesNotExist();
    }

    @Test
    void anX11SocketIsRefusedUntilXwaylandIsSupported() throws Exception {
        Weston w = started.add(Weston.start("it-sd-x11-host"));
        Path socket = w.runtimeDir().resolve("X1");
        Crossway cw = started.add(Crossway.launch(Distributions.built(), w.runtimeDir(), activate(socket, "x11"),
                List.of("--transport", "loopback", "--host-display", w.socketName()), Map.of()));
        awaitFile(socket);
        // The client starts Crossway; what the client makes of the refusal does not matter here.
        Clients.run(w.runtimeDir(), socket.toString(), TIMEOUT, "wayland-info");
        int status = cw.awaitExit(TIMEOUT);
        System.out.println("x11 socket: exit " + status + ", says: " + cw.log().strip());
        assertThat(status).isEqualTo(2);
        assertThat(cw.log()).contains("systemd passed an X11 socket").contains("does not run Xwayland yet");
    }

    @Test
    void underTheJournalLinesCarryPrioritiesAndNoTimestamps() {
        Weston w = started.add(Weston.start("it-sd-journal-host"));
        // As systemd does: JOURNAL_STREAM names the device and inode of the stream on standard error.
        List<String> journal = List.of("sh", "-c", "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \"$@\"", "sh");
        Crossway cw = started.add(Crossway.launch(Distributions.built(), w.runtimeDir(), journal,
                List.of("--transport", "loopback", "--host-display", w.socketName(), "--socket", "it-journal"), Map.of()));
        cw.awaitListening(TIMEOUT);
        assertThat(Clients.run(w.runtimeDir(), "it-journal", TIMEOUT, "wayland-info").exitCode()).isZero();
        cw.awaitClosedClients(1, TIMEOUT);
        List<String> lines = cw.log().lines().toList();
        System.out.println("journal lines: " + lines);
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("<6>Daemon - listening on " + w.runtimeDir().resolve("it-journal")));
        assertThat(lines).allSatisfy(l -> assertThat(l).matches("<[3-7]>.*"));
    }
}
