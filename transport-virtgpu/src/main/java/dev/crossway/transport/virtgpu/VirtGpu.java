package dev.crossway.transport.virtgpu;

import static dev.crossway.transport.virtgpu.sys.VirtGpuUapi.*;

import dev.crossway.linux.LinuxException;
import dev.crossway.linux.device.AbstractDeviceTransportProvider;
import dev.crossway.linux.device.Availability;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.sys.LibC;
import dev.crossway.transport.virtgpu.sys.CrossDomainCapabilities;
import dev.crossway.transport.virtgpu.sys.CrossDomainProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Can the virtgpu transport run here? Probed once per device and settings, by really opening the DRM
 * node and asking the driver, in the order the transport depends on things:
 * device, 3D features, blob resources, host-visible memory, context init, the cross-domain capset and
 * its Wayland channel. The probe never creates a context (GETPARAM, GET_CAPS and VERSION are safe
 * before CONTEXT_INIT), and closes the fd it opened.
 *
 * <p>Its {@link Availability} gives one line per check ({@code ok} or {@code missing}, with the fix),
 * for {@code doctor}; the first failing one is the unavailability cause.
 */
final class VirtGpu implements AbstractDeviceTransportProvider.Probed {
    static final String CROSVM_FLAGS = "crosvm: --gpu context-types=cross-domain (plus --wayland-sock PATH);"
            + " QEMU 8.1+: -device virtio-gpu-rutabaga-pci,cross-domain=on,wayland-socket-path=PATH";
    static final Path DRI = Path.of("/dev/dri");
    /** Sommelier scans 63 render nodes from 128. */
    static final int FIRST_RENDER_NODE = 128;
    static final int LAST_RENDER_NODE = 190;

    private static final String[] NAMES = {"virtio-gpu device", "3D features", "blob resources", "host-visible memory",
            "context init", "cross-domain capset", "Wayland channel"};

    private final Availability availability;
    private final String devicePath;
    private final CrossDomainCodec.Capabilities capabilities;

    private VirtGpu(Availability availability, String devicePath, CrossDomainCodec.Capabilities capabilities) {
        this.availability = availability;
        this.devicePath = devicePath;
        this.capabilities = capabilities;
    }

    @Override
    public Availability availability() {
        return availability;
    }

    /** The DRM node that passed, or null. */
    String devicePath() {
        return devicePath;
    }

    /** What the host's cross-domain capset said, or null when not reached. */
    CrossDomainCodec.Capabilities capabilities() {
        return capabilities;
    }

    /**
     * The DRM nodes to probe when none is configured: {@code /dev/dri/renderD128..190}, then
     * {@code card*} (wayland-proxy-virtwl tries them too; render nodes first, as they need no DRM master).
     */
    static List<String> driNodes() {
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(DRI)) {
            return found;
        }
        for (int minor = FIRST_RENDER_NODE; minor <= LAST_RENDER_NODE; minor++) {
            Path node = DRI.resolve("renderD" + minor);
            if (Files.exists(node)) {
                found.add(node.toString());
            }
        }
        try (Stream<Path> entries = Files.list(DRI)) {
            entries.filter(p -> p.getFileName().toString().matches("card\\d+")).map(Path::toString).sorted().forEach(found::add);
        } catch (IOException e) {
            // an unreadable /dev/dri: the render nodes found so far are all we can offer
        }
        return found;
    }

    static VirtGpu probe(Device device, VirtGpuSettings settings) {
        Availability checks = new Availability("virtgpu", NAMES);
        VirtGpuDrm drm = findDevice(device, settings, checks);
        if (drm == null) {
            return new VirtGpu(checks, null, null);
        }
        try {
            return probeFeatures(drm, checks);
        } finally {
            drm.close();
        }
    }

    /** Opens the configured node or discovers one; adds the device check; null when that failed. */
    private static VirtGpuDrm findDevice(Device device, VirtGpuSettings settings, Availability checks) {
        String name = NAMES[0];
        List<String> candidates = settings.device() != null ? List.of(settings.device()) : device.candidates();
        if (candidates.isEmpty()) {
            checks.missing(name, "no DRM device (no /dev/dri/renderD* or card* in " + device.describe()
                    + "). Is this a VM with virtio-gpu? " + CROSVM_FLAGS + "; the guest kernel needs CONFIG_DRM_VIRTIO_GPU");
            return null;
        }
        List<String> seen = new ArrayList<>();
        String denied = null;
        for (String path : candidates) {
            VirtGpuDrm drm;
            try {
                drm = VirtGpuDrm.open(device, path);
            } catch (LinuxException e) {
                if (e.errno() == LibC.EACCES || e.errno() == LibC.EPERM) {
                    denied = denied == null ? path : denied;
                }
                seen.add(path + " (" + LinuxException.errnoName(e.errno()) + ")");
                continue;
            }
            try {
                String driver = drm.driverName();
                if (driver.equals("virtio_gpu")) {
                    checks.ok(name, path + " (virtio_gpu)");
                    return drm;
                }
                seen.add(path + " (" + driver + ")");
            } catch (LinuxException e) {
                seen.add(path + " (" + e.getMessage() + ")");
            }
            drm.close();
        }
        if (denied != null) {
            checks.missing(name, "permission denied opening " + denied
                    + ": add your user to the render group (some systems: video), e.g. sudo usermod -aG render $USER, then log in again");
        } else if (settings.device() != null) {
            checks.missing(name, "the configured device " + String.join(", ", seen)
                    + " is not a virtio_gpu device: fix the virtgpu option device, or unset it to discover one");
        } else {
            checks.missing(name, "no virtio_gpu device among " + String.join(", ", seen)
                    + ". Is this a VM with virtio-gpu? " + CROSVM_FLAGS);
        }
        return null;
    }

    private static VirtGpu probeFeatures(VirtGpuDrm drm, Availability checks) {
        String path = drm.path();
        if (!param(drm, checks, NAMES[1], VIRTGPU_PARAM_3D_FEATURES, "VIRTGPU_PARAM_3D_FEATURES",
                "the host offers no 3D (VIRTIO_GPU_F_VIRGL), which context types need: " + CROSVM_FLAGS)) {
            return new VirtGpu(checks, null, null);
        }
        if (!param(drm, checks, NAMES[2], VIRTGPU_PARAM_RESOURCE_BLOB, "VIRTGPU_PARAM_RESOURCE_BLOB",
                "no blob resources: the guest kernel is older than 5.11 or the VMM lacks them (crosvm has them with context types;"
                        + " QEMU: blob=true)")) {
            return new VirtGpu(checks, null, null);
        }
        if (!param(drm, checks, NAMES[3], VIRTGPU_PARAM_HOST_VISIBLE, "VIRTGPU_PARAM_HOST_VISIBLE",
                "no host-visible memory window, needed to map host buffers: give the VMM a host-visible region"
                        + " (crosvm has one by default; QEMU: hostmem=SIZE)")) {
            return new VirtGpu(checks, null, null);
        }
        if (!param(drm, checks, NAMES[4], VIRTGPU_PARAM_CONTEXT_INIT, "VIRTGPU_PARAM_CONTEXT_INIT",
                "no context-init: the guest kernel is older than 5.16 or the VMM lacks it (crosvm: --gpu context-types=cross-domain)")) {
            return new VirtGpu(checks, null, null);
        }
        int capsets;
        try {
            capsets = drm.getParam(VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs, "VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs");
        } catch (LinuxException e) {
            checks.missing(NAMES[5], e.getMessage() + ": the guest kernel is older than 5.16");
            return new VirtGpu(checks, null, null);
        }
        if ((capsets & (1 << VIRTIO_GPU_CAPSET_CROSS_DOMAIN)) == 0) {
            checks.missing(NAMES[5], "the host offers no cross-domain capset (capset ids 0x" + Integer.toHexString(capsets)
                    + ", cross-domain is bit 5): " + CROSVM_FLAGS);
            return new VirtGpu(checks, null, null);
        }
        CrossDomainCodec.Capabilities caps;
        try {
            caps = CrossDomainCodec.decodeCapabilities(drm.getCaps(VIRTIO_GPU_CAPSET_CROSS_DOMAIN, 0, CrossDomainCapabilities.SIZEOF));
        } catch (LinuxException e) {
            checks.missing(NAMES[5], e.getMessage() + " for capset 5 (cross-domain): " + CROSVM_FLAGS);
            return new VirtGpu(checks, null, null);
        }
        checks.ok(NAMES[5], "capset 5, version " + caps.version() + (caps.supportsDmabuf() ? ", host dma-bufs" : ""));
        if (!caps.hasChannel(CrossDomainProtocol.CROSS_DOMAIN_CHANNEL_TYPE_WAYLAND)) {
            checks.missing(NAMES[6], "cross-domain offers no Wayland channel (supported_channels 0x"
                    + Integer.toHexString(caps.supportedChannels()) + "): give crosvm --wayland-sock PATH (the host compositor's socket)");
            return new VirtGpu(checks, null, caps);
        }
        checks.ok(NAMES[6], "supported_channels 0x" + Integer.toHexString(caps.supportedChannels()));
        return new VirtGpu(checks, path, caps);
    }

    private static boolean param(VirtGpuDrm drm, Availability checks, String name, int param, String paramName, String fix) {
        int value;
        try {
            value = drm.getParam(param, paramName);
        } catch (LinuxException e) {
            checks.missing(name, e.getMessage() + ": " + fix);
            return false;
        }
        if (value != 1) {
            checks.missing(name, paramName + " is " + value + ": " + fix);
            return false;
        }
        checks.ok(name, paramName + " = 1");
        return true;
    }
}
