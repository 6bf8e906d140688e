package dev.crossway.vm;

import dev.crossway.it.rig.Clients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * One VM with the cross-domain GPU and one Crossway daemon in it ({@code --transport virtgpu --tag
 * "[vm] "}), shared by every test of the run: under TCG a boot and the daemon's JVM take most of a
 * minute. Tests attach the host compositor they need, run guest clients through the daemon, and
 * observe the host.
 */
final class VmSession implements AutoCloseable {
    static final String TAG = "[vm] ";

    private final Vm vm;
    private final Clients.Result doctor;
    private final GuestCrossway crossway;

    private VmSession(Vm vm, Clients.Result doctor, GuestCrossway crossway) {
        this.vm = vm;
        this.doctor = doctor;
        this.crossway = crossway;
    }

    static VmSession boot() {
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
            Figures.record("JVM in the guest: `crossway --version` (s)", version.stdout().strip().lines().reduce((a, b) -> b).orElse("?"),
                    "bash `time` in the guest, nothing else running");
            Clients.Result doctor = timed(vm, "doctor --transport virtgpu");
            Figures.record("JVM in the guest: `crossway doctor --transport virtgpu` (s)",
                    doctor.stdout().strip().lines().reduce((a, b) -> b).orElse("?"), "bash `time` in the guest, nothing else running");
            GuestCrossway crossway = GuestCrossway.start(vm, "crossway", List.of("--transport", "virtgpu", "--tag", TAG));
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
        return vm.shell().run(Duration.ofMinutes(3), "TIMEFORMAT=%R\n{ time " + GuestFiles.CROSSWAY + " " + args + " ; } 2>&1");
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

    GuestCrossway crossway() {
        return crossway;
    }

    /** From now on, guest clients reach the compositor whose socket this is. */
    void attach(Path compositorSocket) {
        vm.hostDisplay().attach(compositorSocket);
    }

    /** Runs a shell command in the guest with {@code WAYLAND_DISPLAY} at the daemon. */
    Clients.Result client(Duration timeout, String command) {
        return startClient(timeout, command).await();
    }

    GuestShell.Running startClient(Duration timeout, String command) {
        return vm.shell().start(timeout, "export WAYLAND_DISPLAY=" + crossway.socketPath() + "\n" + command);
    }

    /** A guest JVM running {@code mainClass} from the guest class path. */
    static String java(String mainClass, String... args) {
        return "java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp '" + GuestFiles.guestClassPath() + "' "
                + mainClass + " " + GuestShell.quote(List.of(args));
    }

    @Override
    public void close() {
        vm.close();
    }
}
