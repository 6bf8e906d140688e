package dev.crossway.app;

import dev.crossway.spi.TransportProvider;
import dev.crossway.spi.TransportProviders;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code crossway --version}: the version the build stamped into the module ({@code --module-version}),
 * the transports found on this installation, and the Java runtime.
 */
final class Version implements IVersionProvider {

    /** The build's version, e.g. {@code 0.1.0}; "unknown" when run from classes that Maven did not package. */
    static String version() {
        var descriptor = Version.class.getModule().getDescriptor();
        if (descriptor != null && descriptor.rawVersion().isPresent()) {
            return descriptor.rawVersion().get();
        }
        String fromManifest = Version.class.getPackage().getImplementationVersion();
        return fromManifest != null ? fromManifest : "unknown";
    }

    @Override
    public String[] getVersion() {
        List<String> transports = new ArrayList<>();
        for (TransportProvider p : TransportProviders.discover().all()) {
            transports.add(p.name() + " (priority " + p.priority() + ")");
        }
        return new String[] {
                "crossway " + version(),
                "transports: " + (transports.isEmpty() ? "none found" : String.join(", ", transports)),
                "java: " + System.getProperty("java.vm.name") + " " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
    }
}
