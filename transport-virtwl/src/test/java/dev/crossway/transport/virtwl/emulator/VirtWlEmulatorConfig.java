package dev.crossway.transport.virtwl.emulator;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the emulated machine looks like: the guest's node (present? openable? a virtwl device at all?) and
 * crosvm's side (the Wayland sockets given with {@code --wayland-sock}, the in-queue's pages). Defaults: a
 * ChromeOS-style guest with {@code /dev/wl0} and crosvm with one default Wayland socket. Fluent setters;
 * configure before use.
 */
public final class VirtWlEmulatorConfig {
    /** Host sockets by name; "" is the default one, as crosvm's {@code --wayland-sock PATH}. */
    final Map<String, Path> sockets = new LinkedHashMap<>();
    boolean devicePresent = true;
    int openErrno;
    boolean virtwlDriver = true;
    /** Pages in the device's in-queue (crosvm's queue size): host data waiting for the guest holds them. */
    int inQueuePages = 256;

    public static VirtWlEmulatorConfig of(Path compositorSocket) {
        VirtWlEmulatorConfig c = new VirtWlEmulatorConfig();
        c.sockets.put("", compositorSocket);
        return c;
    }

    public VirtWlEmulatorConfig devicePresent(boolean v) {
        devicePresent = v;
        return this;
    }

    /** open() of the node fails with this errno (e.g. EACCES); 0 for success. */
    public VirtWlEmulatorConfig openErrno(int v) {
        openErrno = v;
        return this;
    }

    /** False: the node is some other character device, which answers every virtwl ioctl with ENOTTY. */
    public VirtWlEmulatorConfig virtwlDriver(boolean v) {
        virtwlDriver = v;
        return this;
    }

    /** Adds a socket crosvm knows as {@code name} ({@code --wayland-sock PATH,name=NAME}). */
    public VirtWlEmulatorConfig namedSocket(String name, Path socket) {
        sockets.put(name, socket);
        return this;
    }

    /** crosvm started without {@code --wayland-sock}: every context fails. */
    public VirtWlEmulatorConfig noWaylandSocket() {
        sockets.clear();
        return this;
    }

    public VirtWlEmulatorConfig inQueuePages(int v) {
        inQueuePages = v;
        return this;
    }
}
