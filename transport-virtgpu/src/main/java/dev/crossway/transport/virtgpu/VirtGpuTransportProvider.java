package dev.crossway.transport.virtgpu;

import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOption;
import dev.crossway.spi.TransportOptions;
import dev.crossway.spi.TransportProvider;
import dev.crossway.transport.virtgpu.device.VirtGpuDevice;
import dev.crossway.transport.virtgpu.device.VirtGpuDeviceProvider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the virtgpu transport: crosvm's cross-domain context on a virtio-gpu DRM device.
 *
 * <p>Options ({@code crossway.transports.virtgpu}): {@code device} (a DRM node; default: discover),
 * {@code identifiers} (28 or 4, matching the host), {@code write-pipe-quirk}, {@code device-provider} and
 * {@code pipe-idle-timeout}
 * (see {@link VirtGpuSettings}).
 *
 * <p>Which device: the {@code device-provider} option names one ({@code kernel} is built in); without
 * it, a {@link VirtGpuDeviceProvider} found on the module path (an emulator, test code only) wins, and
 * otherwise the kernel's {@code /dev/dri} nodes are used. The product ships no other provider.
 *
 * <p>The constructor touches nothing; {@link #unavailabilityCause} probes once per settings and caches.
 */
public final class VirtGpuTransportProvider implements TransportProvider {
    private static final Logger LOG = LoggerFactory.getLogger(VirtGpuTransportProvider.class);

    private final VirtGpuDevice fixedDevice;
    private final Map<VirtGpuSettings, Probed> probes = new ConcurrentHashMap<>();

    private record Probed(VirtGpuDevice device, VirtGpu virtGpu) {
    }

    public VirtGpuTransportProvider() {
        this(null);
    }

    /** With a given device instead of the lookup, for tests. */
    VirtGpuTransportProvider(VirtGpuDevice device) {
        this.fixedDevice = device;
    }

    @Override
    public String name() {
        return "virtgpu";
    }

    @Override
    public String description() {
        return "a host compositor across a VM boundary, through virtio-gpu cross-domain contexts (crosvm; Linux 5.16+ guest)";
    }

    /** A VM transport with every feature: chosen first by {@code transport = auto} when its device works. */
    @Override
    public int priority() {
        return 200;
    }

    @Override
    public List<TransportOption> options() {
        return List.of(
                new TransportOption(VirtGpuSettings.DEVICE, "--drm-device", "PATH",
                        "virtgpu: the DRM node to use, e.g. /dev/dri/renderD128. Default: the first virtio_gpu node found."),
                new TransportOption(VirtGpuSettings.IDENTIFIERS, "--cross-domain-identifiers", "28|4",
                        "virtgpu: identifiers per cross-domain message, as the host's crosvm expects: 28 (2024-02 on, the default) or 4."),
                new TransportOption(VirtGpuSettings.PIPE_IDLE_TIMEOUT, null, "MILLISECONDS",
                        "virtgpu: end a clipboard or drag-and-drop transfer that moved no data for this long. Default: 0 (never)."),
                new TransportOption(VirtGpuSettings.WRITE_PIPE_QUIRK, null, "true|false",
                        "virtgpu: treat a RECEIVE blob of size 0 as a write pipe, for hosts that mislabel them. Default: true."),
                new TransportOption(VirtGpuSettings.DEVICE_PROVIDER, null, "NAME",
                        "virtgpu: which device implementation to use: kernel, or the name of one found on the module path (test emulators). Default: one found on the module path, else kernel."));
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
            VirtGpuDevice device = fixedDevice != null ? fixedDevice : newDevice(settings, options);
            probed = new Probed(device, VirtGpu.probe(device, settings));
            Probed raced = probes.putIfAbsent(settings, probed);
            probed = raced != null ? raced : probed;
        }
        return probed;
    }

    /** The lookup order of the class comment; logs what it found and what it chose. */
    static VirtGpuDevice newDevice(VirtGpuSettings settings, TransportOptions options) throws IOException {
        List<VirtGpuDeviceProvider> found = new ArrayList<>();
        var it = ServiceLoader.load(VirtGpuDeviceProvider.class, VirtGpuDeviceProvider.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                LOG.warn("skipping a virtgpu device provider that failed to load: {}", e.getMessage());
            }
        }
        found.sort(Comparator.comparing(VirtGpuDeviceProvider::name));
        String wanted = settings.deviceProvider();
        if (wanted == null || wanted.equals(VirtGpuKernelDevice.NAME)) {
            if (wanted == null && !found.isEmpty()) {
                VirtGpuDeviceProvider chosen = found.get(0);
                LOG.info("virtgpu: using device provider '{}' found on the module path instead of the kernel (all found: {})",
                        chosen.name(), names(found));
                return chosen.newDevice(options);
            }
            return new VirtGpuKernelDevice();
        }
        for (VirtGpuDeviceProvider p : found) {
            if (p.name().equals(wanted)) {
                return p.newDevice(options);
            }
        }
        throw new IllegalArgumentException("no virtgpu device provider named '" + wanted + "' (option " + VirtGpuSettings.DEVICE_PROVIDER
                + "); available: " + VirtGpuKernelDevice.NAME + (found.isEmpty() ? "" : ", " + names(found)));
    }

    private static String names(List<VirtGpuDeviceProvider> providers) {
        List<String> names = new ArrayList<>();
        providers.forEach(p -> names.add(p.name()));
        return String.join(", ", names);
    }

    @Override
    public String toString() {
        return "VirtGpuTransportProvider";
    }
}
