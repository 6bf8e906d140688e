package dev.crossway.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Weston;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The host compositor dies while guest clients are connected, and comes back. */
@ExtendWith(VmTier.class)
class VmCompositorRestartIT {
    /** The clients' own limit; a client that sees the compositor go ends long before it. */
    private static final int CLIENT_SECONDS = 40;

    /** Starts two weston-simple-shm in the guest and returns once both have a session in the daemon. */
    private static GuestShell.Running twoClients(VmSession session) {
        GuestShell.Running clients = session.startClient(Duration.ofSeconds(CLIENT_SECONDS + 30),
                "start=$(date +%s)\n"
                        + "for i in 1 2; do timeout -k 5 -s INT " + CLIENT_SECONDS + " weston-simple-shm >/dev/null 2>&1 & done\n"
                        + "for p in $(jobs -p); do wait $p; echo \"status $? after $(( $(date +%s) - start )) s\"; done\n");
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (session.crossway().stats().threadNames().stream().filter(n -> n.startsWith("crossway-clien")).count() < 4) {
            assertThat(clients.isDone()).as("the clients ended before weston was killed: "
                    + (clients.isDone() ? clients.await().describe() : "")).isFalse();
            assertThat(System.nanoTime()).as("two client sessions within a minute").isLessThan(deadline);
            Vm.sleep(Duration.ofMillis(500));
        }
        Vm.sleep(Duration.ofSeconds(2)); // both draw for a while
        return clients;
    }

    @Test
    void theDaemonSurvivesTheCompositorsDeathAndServesItsSuccessor(VmSession session) {
        GuestCrossway cw = session.crossway();
        int closed = cw.closedClients().size();
        GuestShell.Running clients;
        try (Weston first = Weston.start("vm-restart-1")) {
            session.attach(first.socketPath());
            clients = twoClients(session);
        } // weston is killed here, with both clients connected
        session.vm().hostDisplay().detach();

        Clients.Result r = clients.await();
        System.out.println("guest clients after weston was killed: " + r.stdout().lines().toList());
        List<String> lines = cw.awaitClosedClients(closed + 2, Duration.ofMinutes(1));
        System.out.println("Crossway in the guest closed them: " + lines.subList(closed, lines.size()));
        assertThat(cw.isAlive()).as("the daemon survives; its log: " + cw.logFile()).isTrue();

        // Nothing listens now: rutabaga fails the context's INIT, which the guest's EXECBUFFER never hears of, so
        // only the daemon's connect probe finds out; the client is told so, and the daemon carries on.
        Clients.Result unserved = session.client(Duration.ofSeconds(20), "wayland-info");
        System.out.println("wayland-info with no compositor: exit " + unserved.exitCode() + " after " + unserved.elapsed().toMillis()
                + " ms " + unserved.stderr().strip());
        assertThat(unserved.exitCode()).as("told, not left waiting until its timeout: " + unserved.describe()).isNotEqualTo(124);
        assertThat(unserved.stderr()).as(unserved.describe()).contains("the host compositor did not answer within");
        assertThat(cw.isAlive()).isTrue();

        try (Weston second = Weston.start("vm-restart-2")) {
            session.attach(second.socketPath());
            Clients.Result again = session.client(Duration.ofMinutes(1), "wayland-info");
            assertThat(again.exitCode()).as("served again once a compositor is back: " + again.describe()).isZero();
            assertThat(again.stdout()).contains("interface: 'wl_compositor'");
            Clients.Result shm = session.client(Duration.ofMinutes(1), "timeout -k 5 -s INT 3 weston-simple-shm");
            assertThat(shm.exitCode()).as(shm.describe()).isEqualTo(124);
        }
    }

    /**
     * rutabaga_gfx's cross-domain worker does not tell the guest that the compositor hung up (it reads 0 bytes
     * from the dead socket and signals nothing), so the daemon's host check finds out: the host is silent,
     * its probe goes unanswered, and each client gets a wl_display.error and is disconnected.
     */
    @Test
    void connectedClientsSeeTheCompositorGo(VmSession session) {
        GuestShell.Running clients;
        try (Weston first = Weston.start("vm-hangup")) {
            session.attach(first.socketPath());
            clients = twoClients(session);
        }
        session.vm().hostDisplay().detach();
        Clients.Result r = clients.await();
        assertThat(r.stdout().lines().toList()).as(r.describe()).hasSize(2)
                .allSatisfy(s -> assertThat(s).as("ended by the disconnect, not by timeout's interrupt").doesNotStartWith("status 124"));
    }
}
