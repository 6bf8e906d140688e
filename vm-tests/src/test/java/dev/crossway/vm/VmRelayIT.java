package dev.crossway.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.it.rig.Clients;
import dev.crossway.it.rig.Weston;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The relay through the real stack: guest clients, Crossway in the guest, cross-domain, a headless weston here. */
@ExtendWith(VmTier.class)
class VmRelayIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    /**
     * What weston offers that guests do not see: its privileged globals (debugging, its desktop shell,
     * screen capture, the input panel) and explicit synchronization (sync_file fences cannot cross
     * cross-domain). As over the emulated device.
     */
    private static final Set<String> HIDDEN = Set.of("weston_debug_v1", "weston_desktop_shell", "weston_screenshooter",
            "zwp_input_panel_v1", "zwp_linux_explicit_synchronization_v1");

    private Weston weston;

    @AfterEach
    void stopWeston() {
        if (weston != null) {
            weston.close();
        }
    }

    private Weston weston(VmSession session, String name, Map<String, String> env) {
        weston = Weston.start(name, env);
        session.attach(weston.socketPath());
        return weston;
    }

    @Test
    void relaysTheHostsGlobalsThatAreInTheSchema(VmSession session) {
        Weston w = weston(session, "vm-globals", Map.of());
        Clients.Result direct = Clients.run(w.runtimeDir(), w.socketName(), TIMEOUT, "wayland-info");
        assertThat(direct.exitCode()).as(direct.describe()).isZero();
        Map<String, Integer> offered = Clients.versionsByName(Clients.parseGlobals(direct.stdout()));

        int closedBefore = session.crossway().closedClients().size();
        Clients.Result guest = session.client(TIMEOUT, "wayland-info");
        assertThat(guest.exitCode()).as(guest.describe()).isZero();
        List<Clients.Global> relayed = Clients.parseGlobals(guest.stdout());
        Set<String> hidden = new TreeSet<>(offered.keySet());
        hidden.removeAll(Clients.versionsByName(relayed).keySet());
        System.out.println("globals in the guest: " + relayed.size() + " of " + Clients.parseGlobals(direct.stdout()).size()
                + " offered; hidden " + hidden);
        assertThat(hidden).isEqualTo(new TreeSet<>(HIDDEN));
        for (Clients.Global g : relayed) {
            assertThat(offered).containsKey(g.name());
            assertThat(g.version()).as("version of " + g.name()).isLessThanOrEqualTo(offered.get(g.name()));
        }
        String closed = session.crossway().awaitClosedClients(closedBefore + 1, TIMEOUT).get(closedBefore);
        assertThat(closed).contains("globals " + relayed.size() + " of " + Clients.parseGlobals(direct.stdout()).size() + " relayed");
    }

    @Test
    void titleTagReachesTheCompositor(VmSession session) {
        Weston w = weston(session, "vm-tag", Map.of("WAYLAND_DEBUG", "server"));
        Clients.Result r = session.client(TIMEOUT, "timeout -k 5 -s INT 5 weston-simple-shm");
        assertThat(r.exitCode()).as("still running when interrupted (timeout's 124): " + r.describe()).isEqualTo(124);
        List<String> titles = w.log().lines().filter(l -> l.contains("set_title(")).map(String::strip).toList();
        System.out.println("titles weston received: " + titles);
        assertThat(w.log()).contains("set_title(\"" + VmSession.TAG + "simple-shm\")");
    }

    @Test
    void runsACommandAndExitsWithItsStatus(VmSession session) {
        weston(session, "vm-run", Map.of());
        // A second daemon of its own, in front of the same device: its JVM starts, serves the command, exits with it.
        Clients.Result r = session.vm().shell().run(Duration.ofMinutes(3), GuestFiles.CROSSWAY
                + " --transport virtgpu --socket /run/user/0/vm-run -- sh -c 'wayland-info && exit 3'");
        System.out.println("crossway -- sh -c 'wayland-info && exit 3' in the guest: exit " + r.exitCode() + " after "
                + r.elapsed().toMillis() + " ms");
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(3);
        assertThat(r.stdout()).as(r.describe()).contains("interface: 'wl_compositor'");
    }
}
