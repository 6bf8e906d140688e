package dev.crossway.app.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.crossway.app.config.Settings;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.app.Daemon;
import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.LinuxKernel;
import dev.crossway.proxy.FdBudget;
import dev.crossway.proxy.SessionLimits;
import dev.crossway.proxy.InterceptorFactory;
import dev.crossway.proxy.Kernel;
import dev.crossway.proxy.SessionOptions;
import dev.crossway.proxy.fd.FdTranslation;
import dev.crossway.proxy.intercept.GlobalClasses;
import dev.crossway.proxy.intercept.PrimarySelectionAliasInterceptor;
import dev.crossway.proxy.intercept.RegistryInterceptor;
import dev.crossway.proxy.intercept.RegistryPolicy;
import dev.crossway.proxy.intercept.TitleTagInterceptor;
import dev.crossway.proxy.shm.ShmLimits;
import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOptions;
import dev.crossway.spi.TransportProvider;
import dev.crossway.spi.TransportProviders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the daemon from {@link Settings}: schema, transport, interceptors. */
public final class CrosswayModule extends AbstractModule {
    private static final Logger LOG = LoggerFactory.getLogger(CrosswayModule.class);
    /** General option every transport may read: the absolute path of the socket Crossway serves. */
    public static final String GUEST_SOCKET = "guest-socket";

    private final Settings settings;
    private final TransportProviders providers;
    private final Path guestSocket;

    /**
     * @param providers   the transports found
     * @param guestSocket the socket Crossway serves (so a transport can refuse to connect to it), or null
     */
    public CrosswayModule(Settings settings, TransportProviders providers, Path guestSocket) {
        this.settings = settings;
        this.providers = providers;
        this.guestSocket = guestSocket;
    }

    @Provides
    Kernel kernel() {
        return LinuxKernel.INSTANCE;
    }

    @Provides
    Settings settings() {
        return settings;
    }

    @Provides
    @Singleton
    Schema schema() {
        return SchemaLoader.load(settings.protocolDirs());
    }

    /**
     * Transport {@code name}'s options: its own section first, then the general keys it may use
     * ({@code host-display}, {@code memory}, {@value #GUEST_SOCKET}).
     *
     * @param guestSocket the socket Crossway serves, or null when not known (doctor)
     */
    public static TransportOptions options(Settings settings, String name, Path guestSocket) {
        return key -> {
            Map<String, String> own = settings.transportOptions().get(name);
            if (own != null && own.containsKey(key)) {
                return own.get(key);
            }
            return switch (key) {
                case "host-display" -> settings.hostDisplay().isEmpty() ? null : settings.hostDisplay();
                case "memory" -> settings.memory();
                case GUEST_SOCKET -> guestSocket == null ? null : guestSocket.toString();
                default -> null;
            };
        };
    }

    @Provides
    @Singleton
    Transport transport() {
        TransportProvider provider = providers.select(settings.transport(), name -> options(settings, name, guestSocket));
        TransportOptions options = options(settings, provider.name(), guestSocket);
        if (TransportProviders.isAuto(settings.transport())) {
            LOG.info("transport auto chose {}: {} (`crossway doctor` explains the choice)", provider.name(), provider.description());
        }
        String cause = provider.unavailabilityCause(options);
        if (cause != null) {
            throw new IllegalStateException("transport '" + provider.name() + "' cannot run: " + cause);
        }
        try {
            return provider.open(options);
        } catch (IOException e) {
            throw new UncheckedIOException("transport '" + provider.name() + "' failed to open: " + e.getMessage(), e);
        }
    }

    @Provides
    @Singleton
    FdTranslation fdTranslation(Transport transport) {
        // Which fds cross and how: the core's table, given what this transport carries.
        return FdTranslation.of(transport.capabilities());
    }

    @Provides
    @Singleton
    RegistryPolicy registryPolicy(Schema schema, FdTranslation fds) {
        RegistryPolicy policy = new RegistryPolicy(schema, GlobalClasses.builtIn(),
                new RegistryPolicy.Rules(settings.grant(), settings.allow(), settings.deny(), settings.maxVersions()),
                fds::carries);
        policy.unknownGrants().forEach(LOG::warn);
        return policy;
    }

    @Provides
    @Singleton
    SessionOptions sessionOptions(Schema schema, FdTranslation fds, RegistryPolicy policy) {
        List<InterceptorFactory> interceptors = new ArrayList<>();
        // Before the registry interceptor, which then checks the alias's translated bind like any other.
        interceptors.add(session -> new PrimarySelectionAliasInterceptor(session, policy));
        interceptors.add(session -> new RegistryInterceptor(session, policy));
        // One ShmLimits for the daemon: it counts host memory across clients.
        ShmLimits limits = ShmLimits.of(settings.limits().hostMemoryPerClient(), settings.limits().hostMemory(),
                settings.limits().poolsPerClient());
        interceptors.addAll(fds.interceptors(limits));
        TitleTagInterceptor tags = new TitleTagInterceptor(settings.tag(), settings.appIdTag());
        if (tags.isActive()) {
            interceptors.add(session -> tags);
        }
        SessionLimits clientLimits = new SessionLimits(settings.limits().fdsPerClient(), settings.limits().objectsPerClient(),
                fdBudget());
        return new SessionOptions(schema, interceptors, settings.trace().requests(), settings.trace().events(), clientLimits,
                settings.hostCheck());
    }

    /**
     * The fds all clients together may make the daemon hold: its open-file limit (soft raised to hard)
     * less what the daemon keeps for itself. Said at start, with how many clients fit at their limit.
     */
    private FdBudget fdBudget() {
        int openFiles;
        try {
            openFiles = Fds.raiseOpenFileLimit();
        } catch (LinuxException e) {
            LOG.warn("cannot read the open-file limit ({}); assuming 1024", e.getMessage());
            openFiles = 1024;
        }
        int budget = Math.max(Daemon.FDS_PER_SESSION, openFiles - Daemon.RESERVED_FDS);
        int perClient = settings.limits().fdsPerClient() + Daemon.FDS_PER_SESSION;
        long atLimit = budget / perClient;
        if (atLimit < 8 || LOG.isDebugEnabled()) {
            // Concatenated, not String.format: its first use loads the locale data, about 10 ms of every start.
            String sizing = "open-file limit " + openFiles + ": fds for " + atLimit + " clients at their limit of "
                    + settings.limits().fdsPerClient() + " (crossway.limits.fds-per-client), or " + budget / Daemon.FDS_PER_SESSION
                    + " clients holding none; a client that would pass it gets a protocol error";
            if (atLimit < 8) {
                LOG.warn("{}. Raise the hard limit (LimitNOFILE= in the unit, ulimit -Hn) or lower crossway.limits.fds-per-client", sizing);
            } else {
                LOG.debug(sizing);
            }
        }
        return new FdBudget(budget);
    }
}
