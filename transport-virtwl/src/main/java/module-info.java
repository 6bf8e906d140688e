/**
 * The virtwl transport: Wayland over the legacy virtio-wayland device {@code /dev/wl0} (ChromeOS guest
 * kernels, crosvm {@code --wayland-sock}). The implementation package is not exported; the daemon
 * reaches it only through {@code provides}.
 *
 * <p>The ioctl layouts ({@code .sys}) are exported, so an emulated device (the test-jar's
 * {@code dev.crossway.transport.virtwl.emulator}, provided through
 * {@code dev.crossway.linux.device.DeviceProvider}) decodes the same bytes. It is used only when the
 * {@code device-provider} option names it.
 */
module dev.crossway.transport.virtwl {
    requires dev.crossway.core;
    requires dev.crossway.linux;
    requires org.jnrproject.ffi;
    requires org.slf4j;

    // Constants and struct offsets only; exported for emulated devices, which decode the same bytes.
    exports dev.crossway.transport.virtwl.sys;

    provides dev.crossway.spi.TransportProvider with dev.crossway.transport.virtwl.VirtWlTransportProvider;
}
