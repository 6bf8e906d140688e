/**
 * The loopback transport: talks to a Wayland compositor socket on this machine. Fds and memory pass
 * as-is, so it is available wherever a compositor runs and is the reference implementation of the SPI.
 * The package is not exported; the daemon reaches it only through {@code provides}.
 */
module dev.crossway.transport.loopback {
    requires dev.crossway.core;
    requires dev.crossway.linux;

    provides dev.crossway.spi.TransportProvider with dev.crossway.transport.loopback.LoopbackTransportProvider;
}
