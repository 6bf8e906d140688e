package dev.crossway.transport.virtgpu;

import dev.crossway.linux.device.Device;
import dev.crossway.linux.device.Devices;
import dev.crossway.linux.device.KernelDevice;
import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOptions;
import dev.crossway.spi.TransportProvider;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the virtgpu transport: crosvm's cross-domain context on a virtio-gpu DRM device.
 *
 * <p>Options ({@code crossway.transports.virtgpu}): {@code device} (a DRM node; default: discover),
 * {@code identifiers} (28 or 4, matching the host), {@code write-pipe-quirk}, {@code device-provider} and
 * {@code pipe-idle-timeout} (see {@link VirtGpuSettings}).
 *
 * <p>Which device: the kernel's {@code /dev/dri} nodes, unless {@code device-provider} names another
 * ({@link Devices}): the tests' emulator. The product ships no other provider.
 *
 * <p>The constructor touches nothing; {@link #unavailabilityCause} probes once per settings and caches.
 */
public final class VirtGpuTransportProvider implements TransportProvider {
    static final String NAME = "virtgpu";

    private final Device fixedDevice;
    private final Map<VirtGpuSettings, Probed> probes = new ConcurrentHashMap<>();

    private record Probed(Device device, VirtGpu virtGpu) {
    }

    public VirtGpuTransportProvider() {
        this(null);
    }

    /** With a given device instead of the lookup, for tests. */
    VirtGpuTransportProvider(Device device) {
        this.fixedDevice = device;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "a host compositor across a VM boundary, through virtio-gpu cross-domain contexts (crosvm; Linux 5.16+ guest)";
    }

    @Override
    public String unavailabilityCause(TransportOptions options) {
        try {
            return probe(options).virtGpu().unavailabilityCause();
        } catch (IllegalArgumentException | IOException e) {
            return e.getMessage();
        }
    }

    /**
     * Every availability check in order, one line each ({@code ok} / {@code missing} with the fix, or
     * {@code -} when not reached): what {@code crossway doctor} prints for this transport.
     */
    @Override
    public List<String> checks(TransportOptions options) {
        try {
            return probe(options).virtGpu().checks();
        } catch (IllegalArgumentException | IOException e) {
            return List.of("missing  settings: " + e.getMessage());
        }
    }

    @Override
    public Transport open(TransportOptions options) throws IOException {
        Probed probed;
        try {
            probed = probe(options);
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot open the virtgpu transport: " + e.getMessage(), e);
        }
        probed.virtGpu().ensureAvailability();
        return new VirtGpuTransport(VirtGpuSettings.resolve(options), probed.device(), probed.virtGpu());
    }

    private Probed probe(TransportOptions options) throws IOException {
        VirtGpuSettings settings = VirtGpuSettings.resolve(options);
        Probed probed = probes.get(settings);
        if (probed == null) {
            Device device = fixedDevice != null ? fixedDevice
                    : Devices.select(NAME, settings.deviceProvider(), options,
                            () -> new KernelDevice("kernel DRM devices under " + VirtGpu.DRI, VirtGpu::driNodes));
            probed = new Probed(device, VirtGpu.probe(device, settings));
            Probed raced = probes.putIfAbsent(settings, probed);
            probed = raced != null ? raced : probed;
        }
        return probed;
    }

    @Override
    public String toString() {
        return "VirtGpuTransportProvider";
    }
}
