/**
 * The Crossway daemon: command line, configuration, wiring. Transports are found at run time through
 * {@link dev.crossway.spi.TransportProvider}; this module never names one.
 */
module dev.crossway.app {
    requires dev.crossway.core;
    requires dev.crossway.linux;
    requires com.google.guice;
    requires jakarta.inject;
    requires typesafe.config;
    requires info.picocli;
    requires org.slf4j;
    // Logging goes through slf4j-jdk14 to java.util.logging, formatted by dev.crossway.app.logging.
    requires java.logging;
    requires jdk.unsupported;

    // Main.newCommandLine, for the manual pages and shell completion generated at build time.
    exports dev.crossway.app to dev.crossway.packaging;

    opens dev.crossway.app to info.picocli, com.google.guice;
    opens dev.crossway.app.inject to com.google.guice;

    uses dev.crossway.spi.TransportProvider;
}
