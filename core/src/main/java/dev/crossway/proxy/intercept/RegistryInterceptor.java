package dev.crossway.proxy.intercept;

import dev.crossway.proxy.Interceptor;
import dev.crossway.proxy.ProtocolError;
import dev.crossway.proxy.Session;
import dev.crossway.wire.Message;
import dev.crossway.wire.NewId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applies the {@link RegistryPolicy} to {@code wl_registry}: hides globals, lowers versions, relays
 * later {@code global} and {@code global_remove} events, and refuses binds to what the client was
 * never shown (as a compositor would).
 */
public final class RegistryInterceptor implements Interceptor {
    private final RegistryPolicy policy;
    /** Globals shown to this client: name to interface and shown version. */
    private final Map<Integer, Shown> shown = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> counted = new ConcurrentHashMap<>();
    private final Session session;

    private record Shown(String interfaceName, int version) {
    }

    public RegistryInterceptor(Session session, RegistryPolicy policy) {
        this.session = session;
        this.policy = policy;
    }

    @Override
    public List<Hook> hooks() {
        return List.of(Hook.event("wl_registry", "global"), Hook.event("wl_registry", "global_remove"),
                Hook.request("wl_registry", "bind"));
    }

    @Override
    public void intercept(Chain chain) throws ProtocolError {
        Message m = chain.message();
        switch (m.spec().name()) {
            case "global" -> global(chain, m);
            case "global_remove" -> {
                if (shown.remove(m.intArg(0)) != null) {
                    chain.proceed(m);
                }
            }
            case "bind" -> bind(chain, m);
            default -> chain.proceed(m);
        }
    }

    private void global(Chain chain, Message m) throws ProtocolError {
        int name = m.intArg(0);
        String iface = m.stringArg(1);
        int hostVersion = m.intArg(2);
        RegistryPolicy.Decision d = policy.decide(iface, hostVersion);
        // Every wl_registry of the client hears every global; count each once.
        if (counted.putIfAbsent(name, Boolean.TRUE) == null) {
            session.globalOffered(iface, d.shown());
        }
        if (!d.shown()) {
            policy.explain(iface, d);
            return;
        }
        shown.put(name, new Shown(iface, d.version()));
        if (d.version() != hostVersion) {
            m.set(2, d.version());
        }
        chain.proceed(m);
    }

    private void bind(Chain chain, Message m) throws ProtocolError {
        int name = m.intArg(0);
        NewId id = m.newIdArg(1);
        Shown g = shown.get(name);
        if (g == null) {
            throw new ProtocolError(m.objectId(), ProtocolError.INVALID_OBJECT,
                    "invalid global " + id.interfaceName() + " (" + Integer.toUnsignedString(name) + ")");
        }
        if (!g.interfaceName().equals(id.interfaceName())) {
            throw new ProtocolError(m.objectId(), ProtocolError.INVALID_OBJECT, "invalid interface for global "
                    + Integer.toUnsignedString(name) + ": have " + id.interfaceName() + ", wanted " + g.interfaceName());
        }
        if (id.version() < 1 || id.version() > g.version()) {
            throw new ProtocolError(m.objectId(), ProtocolError.INVALID_OBJECT, "invalid version for global "
                    + id.interfaceName() + " (" + Integer.toUnsignedString(name) + "): have " + id.version() + ", wanted 1 to " + g.version());
        }
        chain.proceed(m);
    }
}
