package dev.crossway.transport.virtwl;

import static dev.crossway.transport.virtwl.sys.VirtWlUapi.VIRTWL_DEVICE;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.device.AbstractDeviceTransportProvider;
import dev.crossway.linux.device.Availability;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.sys.LibC;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Can the virtwl transport run here? Probed once per device and settings, in the order the transport
 * depends on things: the node exists, it opens, it is a virtwl device (it makes a page of host memory,
 * freed at once), and the host gives a Wayland context (a connection to the compositor, closed at once:
 * the compositor sees one client come and go). Its {@link Availability} gives one line per check, with
 * the fix, for {@code doctor}.
 */
final class VirtWl implements AbstractDeviceTransportProvider.Probed {
    static final String CROSVM_FLAGS = "is this a crosvm guest with virtio-wayland? crosvm: --wayland-sock PATH (the host"
            + " compositor's socket); the guest kernel needs ChromeOS's virtio_wl driver (CONFIG_VIRTIO_WL)";
    private static final String[] NAMES = {"virtwl device", "permission", "virtwl driver", "Wayland context"};

    private final Availability availability;
    private final String devicePath;

    private VirtWl(Availability availability, String devicePath) {
        this.availability = availability;
        this.devicePath = devicePath;
    }

    /** {@code /dev/wl0} when it exists: the kernel's only virtwl node. */
    static List<String> nodes() {
        return Files.exists(Path.of(VIRTWL_DEVICE)) ? List.of(VIRTWL_DEVICE) : List.of();
    }

    @Override
    public Availability availability() {
        return availability;
    }

    /** The node that passed, or null. */
    String devicePath() {
        return devicePath;
    }

    static VirtWl probe(Device device, VirtWlSettings settings) {
        Availability checks = new Availability(VirtWlTransportProvider.NAME, NAMES);
        List<String> candidates = settings.device() != null ? List.of(settings.device()) : device.candidates();
        if (candidates.isEmpty()) {
            return new VirtWl(checks.missing(NAMES[0], "no " + VIRTWL_DEVICE + ": " + CROSVM_FLAGS), null);
        }
        String path = candidates.get(0);
        VirtWlNode node;
        try {
            node = VirtWlNode.open(device, path);
        } catch (LinuxException e) {
            if (e.errno() == LibC.ENOENT) {
                checks.missing(NAMES[0], "no " + path + ": " + (settings.device() != null
                        ? "fix the virtwl option device, or unset it to use " + VIRTWL_DEVICE : CROSVM_FLAGS));
            } else {
                checks.ok(NAMES[0], path).missing(NAMES[1], e.getMessage());
            }
            return new VirtWl(checks, null);
        }
        try {
            checks.ok(NAMES[0], path).ok(NAMES[1], "opened " + path + " read-write");
            try {
                Fds.close(node.newAlloc(4096));
            } catch (LinuxException e) {
                return new VirtWl(checks.missing(NAMES[2], e.getMessage() + (e.errno() == LibC.ENOTTY || e.errno() == LibC.EINVAL
                        ? "; " + path + " is some other device: point the virtwl option device at the virtwl node" : "")), null);
            }
            checks.ok(NAMES[2], "VIRTWL_IOCTL_NEW makes host memory");
            try {
                Fds.close(node.newContext(settings.contextName()));
            } catch (LinuxException e) {
                return new VirtWl(checks.missing(NAMES[3], e.getMessage()), null);
            }
            checks.ok(NAMES[3], "the host connects to its compositor"
                    + (settings.contextName() != null ? " (socket '" + settings.contextName() + "')" : ""));
            return new VirtWl(checks, path);
        } finally {
            node.close();
        }
    }
}
