package dev.crossway.transport.virtwl;

import dev.crossway.linux.device.AbstractDeviceTransportProvider;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.device.Devices;
import dev.crossway.linux.device.KernelDevice;
import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOption;
import dev.crossway.spi.TransportOptions;
import java.util.List;
import dev.crossway.transport.virtwl.sys.VirtWlUapi;

/**
 * Finds the virtwl transport: crosvm's virtio-wayland device {@code /dev/wl0} (ChromeOS guest kernels).
 *
 * <p>Options ({@code crossway.transports.virtwl}): {@code device} (the node; default {@code /dev/wl0}),
 * {@code context-name}, {@code device-provider} and {@code pipe-idle-timeout} (see {@link VirtWlSettings}).
 * The kernel's node is used unless {@code device-provider} names another device ({@link Devices}): the
 * tests' emulator.
 *
 * <p>The constructor touches nothing; the first question probes, once per settings.
 */
public final class VirtWlTransportProvider extends AbstractDeviceTransportProvider<VirtWlSettings, VirtWl> {
    static final String NAME = "virtwl";

    public VirtWlTransportProvider() {
        this(null);
    }

    /** With a given device instead of the lookup, for tests. */
    VirtWlTransportProvider(Device device) {
        super(device);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "a host compositor across a VM boundary, through the legacy virtio-wayland device /dev/wl0 (crosvm; ChromeOS guest kernels)";
    }

    /** The legacy VM transport: chosen by {@code transport = auto} when virtgpu cannot run and its device works. */
    @Override
    public int priority() {
        return 100;
    }

    @Override
    protected List<TransportOption> ownOptions() {
        return List.of(
                new TransportOption(VirtWlSettings.DEVICE, "--wl-device", "PATH", "virtwl: the virtio-wayland device node. Default: /dev/wl0."),
                new TransportOption(VirtWlSettings.CONTEXT_NAME, null, "NAME",
                        "virtwl: the host socket crosvm names with --wayland-sock PATH,name=NAME. Default: its default socket."));
    }

    @Override
    protected VirtWlSettings settings(TransportOptions options) {
        return VirtWlSettings.resolve(options);
    }

    @Override
    protected String deviceProvider(VirtWlSettings settings) {
        return settings.deviceProvider();
    }

    @Override
    protected Device kernelDevice() {
        return new KernelDevice("the kernel's " + VirtWlUapi.VIRTWL_DEVICE, VirtWl::nodes);
    }

    @Override
    protected VirtWl probe(Device device, VirtWlSettings settings) {
        return VirtWl.probe(device, settings);
    }

    @Override
    protected Transport open(VirtWlSettings settings, Device device, VirtWl probed) {
        return new VirtWlTransport(settings, device, probed);
    }

    @Override
    public String toString() {
        return "VirtWlTransportProvider";
    }
}
