/**
 * The virtgpu transport: Wayland over crosvm's cross-domain context type on a virtio-gpu DRM device
 * (Linux 5.16+ guest). The implementation package is not exported; the daemon reaches it only through
 * {@code provides}.
 *
 * <p>The kernel and cross-domain layouts ({@code .sys}) are exported, so an emulated device (the
 * test-jar's {@code dev.crossway.transport.virtgpu.emulator}, a module of its own, provided through
 * {@code dev.crossway.linux.device.DeviceProvider}) decodes the same bytes. It is used only when the
 * {@code device-provider} option names it.
 */
module dev.crossway.transport.virtgpu {
    requires dev.crossway.core;
    requires dev.crossway.linux;
    requires org.jnrproject.ffi;
    requires org.slf4j;

    // Constants and struct offsets only; exported for emulated devices, which decode the same bytes.
    exports dev.crossway.transport.virtgpu.sys;

    provides dev.crossway.spi.TransportProvider with dev.crossway.transport.virtgpu.VirtGpuTransportProvider;
}
