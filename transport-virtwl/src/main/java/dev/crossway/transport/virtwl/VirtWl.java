package dev.crossway.transport.virtwl;

import static dev.crossway.transport.virtwl.sys.VirtWlUapi.VIRTWL_DEVICE;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.sys.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Can the virtwl transport run here? Probed once per device and settings, in the order the transport
 * depends on things: the node exists, it opens, it is a virtwl device (it makes a page of host memory,
 * freed at once), and the host gives a Wayland context (a connection to the compositor, closed at once:
 * the compositor sees one client come and go).
 *
 * <p>{@link #checks()} gives one line per check ({@code ok} or {@code missing}, with the fix), for
 * {@code doctor}; {@link #unavailabilityCause()} is the first failing one.
 */
final class VirtWl {
    static final String CROSVM_FLAGS = "is this a crosvm guest with virtio-wayland? crosvm: --wayland-sock PATH (the host"
            + " compositor's socket); the guest kernel needs ChromeOS's virtio_wl driver (CONFIG_VIRTIO_WL)";
    static final String NOT_CHECKED = "not checked (an earlier check failed)";

    /** One check: its name, whether it passed, and what was found (with the fix when it failed). */
    record Check(String name, boolean ok, String detail) {
        String line() {
            return (ok ? "ok       " : "missing  ") + name + ": " + detail;
        }
    }

    private static final String[] NAMES = {"virtwl device", "permission", "virtwl driver", "Wayland context"};

    private final List<Check> checks;
    private final String devicePath;

    private VirtWl(List<Check> checks, String devicePath) {
        this.checks = List.copyOf(checks);
        this.devicePath = devicePath;
    }

    /** {@code /dev/wl0} when it exists: the kernel's only virtwl node. */
    static List<String> nodes() {
        return Files.exists(Path.of(VIRTWL_DEVICE)) ? List.of(VIRTWL_DEVICE) : List.of();
    }

    boolean isAvailable() {
        return checks.stream().allMatch(Check::ok);
    }

    /** The first failing check, naming the cause and the fix; null when every check passed. */
    String unavailabilityCause() {
        for (Check c : checks) {
            if (!c.ok()) {
                return c.name() + ": " + c.detail();
            }
        }
        return null;
    }

    void ensureAvailability() throws IOException {
        String cause = unavailabilityCause();
        if (cause != null) {
            throw new IOException("cannot open the virtwl transport: " + cause);
        }
    }

    /** Every check, in order, one line each; those after a failure read "not checked". */
    List<String> checks() {
        List<String> lines = new ArrayList<>();
        for (Check c : checks) {
            lines.add(c.line());
        }
        for (int i = checks.size(); i < NAMES.length; i++) {
            lines.add("-        " + NAMES[i] + ": " + NOT_CHECKED);
        }
        return lines;
    }

    /** The node that passed, or null. */
    String devicePath() {
        return devicePath;
    }

    static VirtWl probe(Device device, VirtWlSettings settings) {
        List<Check> checks = new ArrayList<>();
        List<String> candidates = settings.device() != null ? List.of(settings.device()) : device.candidates();
        if (candidates.isEmpty()) {
            checks.add(new Check(NAMES[0], false, "no " + VIRTWL_DEVICE + ": " + CROSVM_FLAGS));
            return new VirtWl(checks, null);
        }
        String path = candidates.get(0);
        VirtWlNode node;
        try {
            node = VirtWlNode.open(device, path);
        } catch (LinuxException e) {
            if (e.errno() == LibC.ENOENT) {
                checks.add(new Check(NAMES[0], false, "no " + path + ": " + (settings.device() != null
                        ? "fix the virtwl option device, or unset it to use " + VIRTWL_DEVICE : CROSVM_FLAGS)));
            } else {
                checks.add(new Check(NAMES[0], true, path));
                checks.add(new Check(NAMES[1], false, e.getMessage()));
            }
            return new VirtWl(checks, null);
        }
        try {
            checks.add(new Check(NAMES[0], true, path));
            checks.add(new Check(NAMES[1], true, "opened " + path + " read-write"));
            try {
                Fds.close(node.newAlloc(4096));
            } catch (LinuxException e) {
                checks.add(new Check(NAMES[2], false, e.getMessage() + (e.errno() == LibC.ENOTTY || e.errno() == LibC.EINVAL
                        ? "; " + path + " is some other device: point the virtwl option device at the virtwl node" : "")));
                return new VirtWl(checks, null);
            }
            checks.add(new Check(NAMES[2], true, "VIRTWL_IOCTL_NEW makes host memory"));
            try {
                Fds.close(node.newContext(settings.contextName()));
            } catch (LinuxException e) {
                checks.add(new Check(NAMES[3], false, e.getMessage()));
                return new VirtWl(checks, null);
            }
            checks.add(new Check(NAMES[3], true, "the host connects to its compositor"
                    + (settings.contextName() != null ? " (socket '" + settings.contextName() + "')" : "")));
            return new VirtWl(checks, path);
        } finally {
            node.close();
        }
    }
}
