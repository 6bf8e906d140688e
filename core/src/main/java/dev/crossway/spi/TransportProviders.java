package dev.crossway.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The one place that calls {@link ServiceLoader} for transports.
 *
 * <p>Lookup order: the name given explicitly ({@code crossway.transport}) wins; without a name, the
 * first available provider in name order. A provider that fails to load is reported and skipped. When
 * nothing fits, the error lists every provider with the reason it cannot run.
 */
public final class TransportProviders {
    private final List<TransportProvider> providers;
    private final List<String> loadFailures;

    private TransportProviders(List<TransportProvider> providers, List<String> loadFailures) {
        this.providers = List.copyOf(providers);
        this.loadFailures = List.copyOf(loadFailures);
    }

    /** Discovers providers visible to this module (module path or class path). */
    public static TransportProviders discover() {
        List<TransportProvider> found = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        var it = ServiceLoader.load(TransportProvider.class, TransportProvider.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                failures.add(e.getMessage());
            }
        }
        return of(found, failures);
    }

    /** A fixed set of providers, for tests and embedding. */
    public static TransportProviders of(List<TransportProvider> providers, List<String> loadFailures) {
        List<TransportProvider> sorted = new ArrayList<>(providers);
        sorted.sort(Comparator.comparing(TransportProvider::name));
        return new TransportProviders(sorted, loadFailures);
    }

    /** Every provider found, in name order. */
    public List<TransportProvider> all() {
        return providers;
    }

    /** Providers that failed to load, with ServiceLoader's message. */
    public List<String> loadFailures() {
        return loadFailures;
    }

    /**
     * The provider called {@code name}, or (name null or empty) the first available one.
     *
     * @throws IllegalArgumentException naming what was found and why each candidate cannot run
     */
    public TransportProvider select(String name, TransportOptions options) {
        if (name != null && !name.isEmpty()) {
            for (TransportProvider p : providers) {
                if (p.name().equals(name)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("no transport named '" + name + "'. " + listing(options));
        }
        for (TransportProvider p : providers) {
            if (p.unavailabilityCause(options) == null) {
                return p;
            }
        }
        throw new IllegalArgumentException("no transport can run here. " + listing(options));
    }

    /** Every provider with its status, one per line: what {@code doctor} prints. */
    public String listing(TransportOptions options) {
        StringBuilder sb = new StringBuilder("Transports found: ");
        if (providers.isEmpty()) {
            sb.append("none (is a transport module on the module path?)");
        }
        for (TransportProvider p : providers) {
            String cause = p.unavailabilityCause(options);
            sb.append("\n  ").append(p.name()).append(": ").append(cause == null ? "available" : "unavailable: " + cause);
        }
        for (String f : loadFailures) {
            sb.append("\n  failed to load: ").append(f);
        }
        return sb.toString();
    }
}
