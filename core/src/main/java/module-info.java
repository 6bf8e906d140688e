/**
 * Crossway's core: the Wayland wire format, the protocol schema, the per-client relay and the
 * transport SPI. Pure Java: no native code, and no transport is named here.
 *
 * @uses dev.crossway.spi.TransportProvider
 */
module dev.crossway.core {
    requires java.xml;
    requires org.slf4j;

    exports dev.crossway.protocol;
    exports dev.crossway.wire;
    exports dev.crossway.spi;
    exports dev.crossway.proxy;
    exports dev.crossway.proxy.intercept;
    exports dev.crossway.proxy.fd;
    exports dev.crossway.proxy.shm;

    uses dev.crossway.spi.TransportProvider;
}
