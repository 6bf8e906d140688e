package dev.crossway.transport.virtwl;

import dev.crossway.linux.device.Device;
import dev.crossway.linux.device.Devices;
import dev.crossway.linux.device.KernelDevice;
import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOptions;
import dev.crossway.spi.TransportProvider;
import dev.crossway.transport.virtwl.sys.VirtWlUapi;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the virtwl transport: crosvm's virtio-wayland device {@code /dev/wl0} (ChromeOS guest kernels).
 *
 * <p>Options ({@code crossway.transports.virtwl}): {@code device} (the node; default {@code /dev/wl0}),
 * {@code context-name}, {@code device-provider} and {@code pipe-idle-timeout} (see {@link VirtWlSettings}).
 * The kernel's node is used unless {@code device-provider} names another device ({@link Devices}): the
 * tests' emulator.
 *
 * <p>The constructor touches nothing; {@link #unavailabilityCause} probes once per settings and caches.
 */
public final class VirtWlTransportProvider implements TransportProvider {
    static final String NAME = "virtwl";

    private final Device fixedDevice;
    private final Map<VirtWlSettings, Probed> probes = new ConcurrentHashMap<>();

    private record Probed(Device device, VirtWl virtWl) {
    }

    public VirtWlTransportProvider() {
        this(null);
    }

    /** With a given device instead of the lookup, for tests. */
    VirtWlTransportProvider(Device device) {
        this.fixedDevice = device;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "a host compositor across a VM boundary, through the legacy virtio-wayland device /dev/wl0 (crosvm; ChromeOS guest kernels)";
    }

    @Override
    public String unavailabilityCause(TransportOptions options) {
        try {
            return probe(options).virtWl().unavailabilityCause();
        } catch (IllegalArgumentException | IOException e) {
            return e.getMessage();
        }
    }

    /** Every availability check in order, one line each: what {@code crossway doctor} prints for this transport. */
    @Override
    public List<String> checks(TransportOptions options) {
        try {
            return probe(options).virtWl().checks();
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
            throw new IOException("cannot open the virtwl transport: " + e.getMessage(), e);
        }
        probed.virtWl().ensureAvailability();
        return new VirtWlTransport(VirtWlSettings.resolve(options), probed.device(), probed.virtWl());
    }

    private Probed probe(TransportOptions options) throws IOException {
        VirtWlSettings settings = VirtWlSettings.resolve(options);
        Probed probed = probes.get(settings);
        if (probed == null) {
            Device device = fixedDevice != null ? fixedDevice
                    : Devices.select(NAME, settings.deviceProvider(), options,
                            () -> new KernelDevice("the kernel's " + VirtWlUapi.VIRTWL_DEVICE, VirtWl::nodes));
            probed = new Probed(device, VirtWl.probe(device, settings));
            Probed raced = probes.putIfAbsent(settings, probed);
            probed = raced != null ? raced : probed;
        }
        return probed;
    }

    @Override
    public String toString() {
        return "VirtWlTransportProvider";
    }
}
