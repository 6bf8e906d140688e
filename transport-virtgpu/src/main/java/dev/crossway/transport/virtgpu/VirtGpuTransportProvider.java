package dev.crossway.transport.virtgpu;

import dev.crossway.linux.device.AbstractDeviceTransportProvider;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.device.Devices;
import dev.crossway.linux.device.KernelDevice;
import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOption;
import dev.crossway.spi.TransportOptions;
import java.util.List;

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
public final class VirtGpuTransportProvider extends AbstractDeviceTransportProvider<VirtGpuSettings, VirtGpu> {
    static final String NAME = "virtgpu";

    public VirtGpuTransportProvider() {
        this(null);
    }

    /** With a given device instead of the lookup, for tests. */
    VirtGpuTransportProvider(Device device) {
        super(device);
    }

    @Override
    public String name() {
        return NAME;
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
    protected List<TransportOption> ownOptions() {
        return List.of(
                new TransportOption(VirtGpuSettings.DEVICE, "--drm-device", "PATH",
                        "virtgpu: the DRM node to use, e.g. /dev/dri/renderD128. Default: the first virtio_gpu node found."),
                new TransportOption(VirtGpuSettings.IDENTIFIERS, "--cross-domain-identifiers", "28|4",
                        "virtgpu: identifiers per cross-domain message, as the host's crosvm expects: 28 (2024-02 on, the default) or 4."),
                new TransportOption(VirtGpuSettings.WRITE_PIPE_QUIRK, null, "true|false",
                        "virtgpu: treat a RECEIVE blob of size 0 as a write pipe, for hosts that mislabel them. Default: true."));
    }

    @Override
    protected VirtGpuSettings settings(TransportOptions options) {
        return VirtGpuSettings.resolve(options);
    }

    @Override
    protected String deviceProvider(VirtGpuSettings settings) {
        return settings.deviceProvider();
    }

    @Override
    protected Device kernelDevice() {
        return new KernelDevice("kernel DRM devices under " + VirtGpu.DRI, VirtGpu::driNodes);
    }

    @Override
    protected VirtGpu probe(Device device, VirtGpuSettings settings) {
        return VirtGpu.probe(device, settings);
    }

    @Override
    protected Transport open(VirtGpuSettings settings, Device device, VirtGpu probed) {
        return new VirtGpuTransport(settings, device, probed);
    }

    @Override
    public String toString() {
        return "VirtGpuTransportProvider";
    }
}
