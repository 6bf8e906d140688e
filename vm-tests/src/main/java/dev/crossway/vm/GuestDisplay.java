package dev.crossway.vm;

import dev.crossway.testsuite.rig.ClientCommand;
import dev.crossway.testsuite.rig.ClientRun;
import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Display;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Clients in the guest, through the agent's shell, with {@code WAYLAND_DISPLAY} at a guest daemon's
 * socket. The exchange directory is the VM's: {@link Vm#share()} here, {@code /vm/share} in the guest.
 */
final class GuestDisplay implements Display {
    private static final String GUEST_SHARE = "/vm/share";

    private final Vm vm;
    private final String socket;

    GuestDisplay(Vm vm, String socket) {
        this.vm = vm;
        this.socket = socket;
    }

    @Override
    public String label() {
        return "guest";
    }

    @Override
    public Clients.Result run(ClientCommand command) {
        return start(command).await();
    }

    @Override
    public ClientRun start(ClientCommand command) {
        StringBuilder script = new StringBuilder(exports(command.env())).append("exec ").append(GuestShell.quote(command.argv()));
        if (command.stdin() != null) {
            script.append(" <").append(GuestShell.quote(pathOf(command.stdin())));
        }
        if (command.stdout() != null) {
            script.append(" >").append(GuestShell.quote(pathOf(command.stdout())));
        }
        return vm.shell().start(command.timeout(), script.toString());
    }

    /** On the guest's test-client server: a thread of its one JVM, as here a thread of the test's. */
    @Override
    public ClientRun startTestClient(Duration timeout, String... args) {
        return vm.testClients().start(timeout, "WAYLAND_DISPLAY=" + socket + "\n--\n" + String.join("\n", args));
    }

    /** A guest JVM running {@code mainClass} from the guest's class path (the testsuite and what it needs). */
    static String java(String mainClass, String... args) {
        return GuestFiles.java() + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp '"
                + GuestFiles.guestClassPath() + "' " + mainClass + " " + GuestShell.quote(List.of(args));
    }

    private String exports(Map<String, String> env) {
        StringBuilder s = new StringBuilder("export WAYLAND_DISPLAY=").append(GuestShell.quote(socket)).append('\n');
        env.forEach((k, v) -> s.append("export ").append(k).append('=').append(GuestShell.quote(v)).append('\n'));
        return s.toString();
    }

    @Override
    public Path exchange() {
        return vm.share();
    }

    @Override
    public String pathOf(Path file) {
        Path rel = vm.share().relativize(file.toAbsolutePath());
        if (rel.startsWith("..")) {
            throw new IllegalArgumentException(file + " is not in the VM's exchange directory " + vm.share()
                    + ", so the guest cannot see it");
        }
        return GUEST_SHARE + "/" + rel;
    }

    @Override
    public String toString() {
        return "guest clients of " + socket + " in " + vm;
    }
}
