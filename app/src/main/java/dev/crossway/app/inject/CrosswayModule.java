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
import dev.crossway.proxy.intercept.PrimarySelectionAliasInterceptor;
import dev.crossway.proxy.intercept.PipeFds;
import dev.crossway.proxy.intercept.RegistryInterceptor;
import dev.crossway.proxy.intercept.RegistryPolicy;
import dev.crossway.proxy.intercept.TitleTagInterceptor;
import dev.crossway.proxy.shm.ShmInterceptor;
import dev.crossway.proxy.shm.ShmLimits;
import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOptions;
import dev.crossway.spi.TransportProvider;
import dev.crossway.spi.TransportProviders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Wires the daemon from {@link Settings}: schema, transport, interceptors, socket. */
public final class CrosswayModule extends AbstractModule {
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
        return PrimarySelectionAliasInterceptor.withGtkInterfaces(SchemaLoader.load(settings.protocolDirs()));
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
    SessionOptions sessionOptions(Schema schema, Transport transport) {
        boolean passThrough = transport.capabilities().fdsPassThrough();
        // Guest memory the host cannot see: shm is mirrored into host memory, keymaps copied.
        boolean mirrorShm = !transport.capabilities().guestMemoryVisibleToHost();
        // A pass-through transport carries every fd as-is; others carry pipes (they bridge them) and
        // what an interceptor translates.
        RegistryPolicy policy = new RegistryPolicy(schema, settings.allow(), settings.deny(), settings.maxVersions(),
                message -> passThrough || PipeFds.carriesPipe(message) || (mirrorShm && ShmInterceptor.translates(message)));
        List<InterceptorFactory> interceptors = new ArrayList<>();
        // Before the registry interceptor, which then checks the alias's translated bind like any other.
        interceptors.add(session -> new PrimarySelectionAliasInterceptor(session, policy));
        interceptors.add(session -> new RegistryInterceptor(session, policy));
        if (mirrorShm) {
            ShmLimits limits = ShmLimits.of(settings.limits().hostMemoryPerClient(), settings.limits().hostMemory(),
                    settings.limits().poolsPerClient()); // one for the daemon: it counts host memory across clients
            interceptors.add(session -> new ShmInterceptor(session, limits));
        }
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
