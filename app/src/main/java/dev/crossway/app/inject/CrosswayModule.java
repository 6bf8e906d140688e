package dev.crossway.app.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.crossway.app.Daemon;
import dev.crossway.app.config.Settings;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.linux.LinuxKernel;
import dev.crossway.proxy.InterceptorFactory;
import dev.crossway.proxy.Kernel;
import dev.crossway.proxy.SessionOptions;
import dev.crossway.proxy.fd.FdTranslation;
import dev.crossway.proxy.intercept.GlobalClasses;
import dev.crossway.proxy.intercept.PrimarySelectionAliasInterceptor;
import dev.crossway.proxy.intercept.RegistryInterceptor;
import dev.crossway.proxy.intercept.RegistryPolicy;
import dev.crossway.proxy.intercept.TitleTagInterceptor;
import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOptions;
import dev.crossway.spi.TransportProvider;
import dev.crossway.spi.TransportProviders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the daemon from {@link Settings}: schema, transport, interceptors, socket. */
public final class CrosswayModule extends AbstractModule {
    private static final Logger LOG = LoggerFactory.getLogger(CrosswayModule.class);
    private final Settings settings;
    private final Map<String, String> env;

    public CrosswayModule(Settings settings, Map<String, String> env) {
        this.settings = settings;
        this.env = Map.copyOf(env);
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

    @Provides
    @Singleton
    TransportProviders providers() {
        return TransportProviders.discover();
    }

    @Provides
    @Singleton
    TransportOptions transportOptions() {
        return options(settings);
    }

    /** The selected transport's options: its own section first, then the general keys it may use. */
    public static TransportOptions options(Settings settings) {
        return options(settings, settings.transport());
    }

    /** Transport {@code name}'s options: its own section first, then the general keys it may use. */
    public static TransportOptions options(Settings settings, String name) {
        return key -> {
            Map<String, String> own = settings.transportOptions().get(name);
            if (own != null && own.containsKey(key)) {
                return own.get(key);
            }
            return switch (key) {
                case "host-display" -> settings.hostDisplay().isEmpty() ? null : settings.hostDisplay();
                case "memory" -> settings.memory();
                default -> null;
            };
        };
    }

    @Provides
    @Singleton
    Transport transport(TransportProviders providers, TransportOptions options) {
        TransportProvider provider = providers.select(settings.transport(), options);
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
        interceptors.addAll(fds.interceptors());
        TitleTagInterceptor tags = new TitleTagInterceptor(settings.tag(), settings.appIdTag());
        if (tags.isActive()) {
            interceptors.add(session -> tags);
        }
        return new SessionOptions(schema, interceptors, settings.trace().requests(), settings.trace().events());
    }

    @Provides
    @Singleton
    Daemon.SocketPath socketPath() {
        return Daemon.SocketPath.resolve(settings.socket(), env.get("XDG_RUNTIME_DIR"));
    }
}
