/**
 * The virtgpu transport: Wayland over crosvm's cross-domain context type on a virtio-gpu DRM device
 * (Linux 5.16+ guest). The implementation package is not exported; the daemon reaches it only through
 * {@code provides}.
 *
 * <p>The device seam ({@code dev.crossway.transport.virtgpu.device}) is exported, and so are the
 * kernel and cross-domain layouts ({@code .sys}), so an emulated device (the test-jar's
 * {@code dev.crossway.transport.virtgpu.emulator}, a module of its own) can stand in for the kernel.
 * Emulators are found with ServiceLoader; without one the kernel's device nodes are used.
 *
 * @uses dev.crossway.transport.virtgpu.device.VirtGpuDeviceProvider
 */
module dev.crossway.transport.virtgpu {
    requires dev.crossway.core;
    requires dev.crossway.linux;
    requires org.jnrproject.ffi;
    requires org.slf4j;

    exports dev.crossway.transport.virtgpu.device;
    // Constants and struct offsets only; exported for emulated devices, which decode the same bytes.
    exports dev.crossway.transport.virtgpu.sys;

    uses dev.crossway.transport.virtgpu.device.VirtGpuDeviceProvider;

    provides dev.crossway.spi.TransportProvider with dev.crossway.transport.virtgpu.VirtGpuTransportProvider;
}
