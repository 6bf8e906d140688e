package dev.crossway.vm;

import dev.crossway.testsuite.rig.Clients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One VM with the cross-domain GPU and the Crossway daemons in it, shared by every test of the run: under
 * TCG a boot and a daemon's JVM take most of a minute. The first daemon ({@code --transport virtgpu -v})
 * starts with the VM; one more starts for each other set of arguments a test asks for, and serves every
 * later test that asks for it. Tests attach the host compositor they need, run guest clients through a
 * daemon, and observe the host.
 */
final class VmSession implements AutoCloseable {
    /**
     * Every daemon here logs at debug level: the close line of a client the daemon ended for an error (the
     * host check's verdict when the host compositor dies) comes only there, and a VM run is slow to repeat.
     */
    private static final List<String> TRANSPORT = List.of("--transport", "virtgpu", "-v");
    private static VmSession shared;

    private final Vm vm;
    private final Clients.Result doctor;
    private final GuestCrossway crossway;
    private final Map<List<String>, GuestCrossway> daemons = new HashMap<>();

    private VmSession(Vm vm, Clients.Result doctor, GuestCrossway crossway) {
        this.vm = vm;
        this.doctor = doctor;
        this.crossway = crossway;
        daemons.put(List.of(), crossway);
    }

    /** The session of this run, booted on first use; {@link VmTier} closes it after the last test. */
    static synchronized VmSession shared() {
        if (shared == null) {
            shared = boot();
        }
        return shared;
    }

    /** Closes the session of this run, if one was booted. */
    static synchronized void closeShared() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    private static VmSession boot() {
        Vm vm = Vm.boot("session", Vm.Gpu.CROSS_DOMAIN, GuestFiles.fromSystemProperties());
        try {
            System.out.println("booted " + vm + " in " + vm.bootTime().toMillis() + " ms: " + vm.readyReport());
            Figures.record("VM boot: container start to the guest agent's first answer (s)", seconds(vm.bootTime()),
                    "wall time on the test machine: podman run, QEMU, kernel, initramfs (modules, 9p), agent");
            Figures.record("VM boot: guest uptime at the agent's first answer (s)", vm.readyReport().replaceAll(".*uptime=(\\S+).*", "$1"),
                    "/proc/uptime in the guest when the agent starts");
            // JVM start-up figures on a quiet guest, before the daemon runs.
            Clients.Result version = timed(vm, "--version");
            if (version.exitCode() != 0) {
                throw new VmException("crossway --version failed in the guest: " + version.describe());
            }
            System.out.println("crossway --version in the guest:\n" + version.stdout());
            Figures.record("JVM in the guest: `crossway --version` (s)", version.stdout().strip().lines().reduce((a, b) -> b).orElse("?"),
                    "bash `time` in the guest, nothing else running");
            Clients.Result doctor = timed(vm, "doctor --transport virtgpu");
            Figures.record("JVM in the guest: `crossway doctor --transport virtgpu` (s)",
                    doctor.stdout().strip().lines().reduce((a, b) -> b).orElse("?"), "bash `time` in the guest, nothing else running");
            GuestCrossway crossway = GuestCrossway.start(vm, "crossway", TRANSPORT);
            System.out.println("started " + crossway);
            Figures.record("JVM in the guest: daemon start to socket ready (s)", String.format(Locale.ROOT, "%.1f", crossway.readySeconds()),
                    "launcher start to the `listening on` line, measured in the guest");
            return new VmSession(vm, doctor, crossway);
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    /**
     * {@code crossway ARGS} in {@code vm}, timed there: its output, then the elapsed seconds as the last
     * line of stdout (bash's {@code time} with {@code TIMEFORMAT=%R}).
     */
    static Clients.Result timed(Vm vm, String args) {
        return vm.shell().run(Duration.ofMinutes(3), GuestFiles.javaHomeExport() + "TIMEFORMAT=%R\n{ time " + GuestFiles.CROSSWAY + " "
                + args + " ; } 2>&1");
    }

    /** {@code crossway doctor --transport virtgpu} as run right after boot, with its time as the last line. */
    Clients.Result doctor() {
        return doctor;
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }

    Vm vm() {
        return vm;
    }

    /** The daemon started with the VM: {@code --transport virtgpu -v} and nothing else. */
    GuestCrossway crossway() {
        return crossway;
    }

    /** The daemon with {@code args} after the transport's, started on first use ({@code -v} asks for nothing more here). */
    synchronized GuestCrossway daemon(List<String> args) {
        List<String> key = args.stream().filter(a -> !a.equals("-v")).toList();
        return daemons.computeIfAbsent(key, a -> {
            String name = "crossway-" + daemons.size();
            List<String> all = new ArrayList<>(TRANSPORT);
            all.addAll(List.of("--socket", "/run/user/0/" + name));
            all.addAll(a);
            GuestCrossway d = GuestCrossway.start(vm, name, all);
            System.out.println("started " + d + " with " + a + " after " + String.format(Locale.ROOT, "%.1f", d.readySeconds()) + " s");
            return d;
        });
    }

    /** From now on, guest clients reach the compositor whose socket this is. */
    void attach(Path compositorSocket) {
        vm.hostDisplay().attach(compositorSocket);
    }

    /** Runs a shell command in the guest with {@code WAYLAND_DISPLAY} at the first daemon. */
    Clients.Result client(Duration timeout, String command) {
        return startClient(timeout, command).await();
    }

    GuestShell.Running startClient(Duration timeout, String command) {
        return vm.shell().start(timeout, "export WAYLAND_DISPLAY=" + crossway.socketPath() + "\n" + command);
    }

    @Override
    public void close() {
        vm.close();
    }
}
