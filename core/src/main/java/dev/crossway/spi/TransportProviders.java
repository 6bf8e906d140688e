package dev.crossway.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * The one place that calls {@link ServiceLoader} for transports.
 *
 * <p>Lookup order: a name given explicitly ({@code crossway.transport}) wins; with {@value #AUTO} (or
 * nothing), the available provider with the highest {@link TransportProvider#priority()}, ties by name.
 * A provider that fails to load is reported and skipped. When nothing fits, the error lists every
 * provider with the reason it cannot run.
 */
public final class TransportProviders {
    /** The transport name that asks for the best available one. */
    public static final String AUTO = "auto";

    /** Highest priority first, then by name: the order {@value #AUTO} tries them in. */
    private static final Comparator<TransportProvider> ORDER =
            Comparator.comparingInt(TransportProvider::priority).reversed().thenComparing(TransportProvider::name);

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
        sorted.sort(ORDER);
        return new TransportProviders(sorted, loadFailures);
    }

    /** Every provider found, in the order {@value #AUTO} tries them: highest priority first. */
    public List<TransportProvider> all() {
        return providers;
    }

    /** Providers that failed to load, with ServiceLoader's message. */
    public List<String> loadFailures() {
        return loadFailures;
    }

    /** Whether {@code name} asks for automatic selection ({@value #AUTO}, empty or null). */
    public static boolean isAuto(String name) {
        return name == null || name.isEmpty() || name.equals(AUTO);
    }

    /**
     * The provider called {@code name}, or (for {@value #AUTO}) the available one that ranks first.
     *
     * @param optionsFor each provider's options, by provider name (availability may depend on them)
     * @throws IllegalArgumentException naming what was found and why each candidate cannot run
     */
    public TransportProvider select(String name, Function<String, TransportOptions> optionsFor) {
        if (!isAuto(name)) {
            for (TransportProvider p : providers) {
                if (p.name().equals(name)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("no transport named '" + name + "'. " + listing(optionsFor));
        }
        for (TransportProvider p : providers) {
            if (p.unavailabilityCause(optionsFor.apply(p.name())) == null) {
                return p;
            }
        }
        throw new IllegalArgumentException("no transport can run here. " + listing(optionsFor));
    }

    /** Every provider with its status, one per line, highest priority first. */
    public String listing(Function<String, TransportOptions> optionsFor) {
        StringBuilder sb = new StringBuilder("Transports found: ");
        if (providers.isEmpty()) {
            sb.append("none (is a transport module on the module path?)");
        }
        for (TransportProvider p : providers) {
            String cause = p.unavailabilityCause(optionsFor.apply(p.name()));
            sb.append("\n  ").append(p.name()).append(": ").append(cause == null ? "available" : "unavailable: " + cause);
        }
        for (String f : loadFailures) {
            sb.append("\n  failed to load: ").append(f);
        }
        return sb.toString();
    }
}
