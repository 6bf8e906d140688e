package dev.crossway.transport.virtgpu;

import dev.crossway.linux.device.AbstractDeviceTransportProvider;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.device.Devices;
import dev.crossway.linux.device.KernelDevice;
import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOptions;

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
