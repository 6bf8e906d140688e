package dev.crossway.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.it.rig.Clients;
import dev.crossway.it.rig.Crossway.ProcStats;
import dev.crossway.it.rig.Weston;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Twenty shm clients and a wayland-info at once through the real stack, and what the guest's daemon holds afterwards. */
@ExtendWith(VmTier.class)
class VmManyClientsIT {
    private static final int SHM_CLIENTS = 20;
    /** Long enough under TCG for every client to connect, map its window and draw before the interrupt. */
    private static final int RUN_SECONDS = 20;

    @Test
    void twentyClientsAtOnceLeaveNoFdsOrThreadsBehind(VmSession session) {
        GuestCrossway cw = session.crossway();
        try (Weston w = Weston.start("vm-many")) {
            session.attach(w.socketPath());
            // Warm up once, so what is made lazily for the first clients is in the baseline.
            int closed = cw.closedClients().size();
            assertThat(session.client(Duration.ofMinutes(1), "wayland-info").exitCode()).isZero();
            Clients.Result warm = session.client(Duration.ofMinutes(1), "timeout -k 5 -s INT 3 weston-simple-shm");
            assertThat(warm.exitCode()).as(warm.describe()).isEqualTo(124);
            cw.awaitClosedClients(closed + 2, Duration.ofMinutes(1));
            ProcStats baseline = awaitNoSessions(cw);

            GuestShell.Running all = session.startClient(Duration.ofMinutes(3), "pids=\n"
                    + "for i in $(seq " + SHM_CLIENTS + "); do timeout -k 5 -s INT " + RUN_SECONDS + " weston-simple-shm >/dev/null 2>&1 &"
                    + " pids=\"$pids $!\"; done\n"
                    + "wayland-info >/dev/null & info=$!\n"
                    + "for p in $pids; do wait $p; echo \"shm $?\"; done\n"
                    + "wait $info; echo \"info $?\"\n");
            ProcStats during = null;
            while (!all.isDone()) {
                ProcStats s = cw.stats();
                if (during == null || s.threads() > during.threads()) {
                    during = s;
                }
                Vm.sleep(Duration.ofSeconds(2));
            }
            Clients.Result r = all.await();
            List<String> statuses = r.stdout().lines().toList();
            System.out.println(SHM_CLIENTS + " weston-simple-shm and a wayland-info at once in the guest: " + statuses);
            assertThat(statuses).as(r.describe()).hasSize(SHM_CLIENTS + 1);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < SHM_CLIENTS; i++) {
                expected.add("shm 124"); // still running when interrupted
            }
            expected.add("info 0");
            assertThat(statuses).as("exit statuses (124: still running when interrupted)").isEqualTo(expected);

            List<String> lines = cw.awaitClosedClients(closed + 2 + SHM_CLIENTS + 1, Duration.ofMinutes(1));
            ProcStats after = awaitNoSessions(cw);
            long fdDeadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((after.openFds() > baseline.openFds() || after.threads() > baseline.threads()) && System.nanoTime() < fdDeadline) {
                Vm.sleep(Duration.ofSeconds(1));
                after = cw.stats();
            }
            System.out.println("Crossway in the guest: baseline " + baseline + ", busiest " + during + ", after " + after
                    + "; last closed: " + lines.get(lines.size() - 1));
            List<String> newThreads = new ArrayList<>(after.threadNames());
            baseline.threadNames().forEach(newThreads::remove);
            assertThat(during).as("stats while the clients ran").isNotNull();
            assertThat(during.threads()).as("threads while the clients ran").isGreaterThan(baseline.threads());
            assertThat(after.openFds()).as("open fds after all clients left (baseline " + baseline.openFds() + ")")
                    .isLessThanOrEqualTo(baseline.openFds());
            assertThat(after.threads()).as("threads after all clients left; new ones: " + newThreads)
                    .isLessThanOrEqualTo(baseline.threads());
        }
    }

    /** The daemon's stats once it runs no client session (session threads are named {@code crossway-client-*}). */
    static ProcStats awaitNoSessions(GuestCrossway cw) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            ProcStats s = cw.stats();
            if (s.threadNames().stream().noneMatch(n -> n.startsWith("crossway-clien"))) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Crossway in the guest still runs sessions after 30 s: " + s.threadNames());
            }
            Vm.sleep(Duration.ofMillis(500));
        }
    }
}
