package dev.crossway.proxy.intercept;

import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.proxy.Direction;
import dev.crossway.proxy.Interceptor;
import dev.crossway.proxy.ProtocolError;
import dev.crossway.proxy.Session;
import dev.crossway.wire.Message;
import dev.crossway.wire.NewId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Offers GTK 3's {@code gtk_primary_selection_device_manager} to guest clients, backed by the host's
 * {@code zwp_primary_selection_device_manager_v1}, when the host has only the latter (wlroots and
 * others dropped the gtk protocol; GTK 3 apps still use it).
 *
 * <p>The two protocols are identical message for message, so only the registry needs work: for each
 * zwp global this interceptor adds a gtk global named {@code zwpName | }{@link #ALIAS_BIT}, and turns a
 * bind of that name into a bind of the zwp global under the zwp interface name. The proxy's object
 * table records the gtk interface for the client's id, so the objects created from it are gtk ones
 * and traces read as the client sees them; every later message passes as bytes. When the zwp global
 * goes away the alias goes with it, and when the host turns out to offer the gtk global itself, the
 * alias is withdrawn in its favour.
 *
 * <p>It runs before the {@link RegistryInterceptor}, which then checks the translated bind like any
 * other; the alias is offered only where the {@link RegistryPolicy} shows both the zwp global and the
 * gtk interface (so {@code deny} and version caps apply to it). Aliases are not counted in the session's
 * "globals N of M" summary, which counts the host's globals.
 *
 * <p>The gtk interfaces come from the built-in protocol table, like any other.
 */
public final class PrimarySelectionAliasInterceptor implements Interceptor {
    public static final String ZWP_MANAGER = "zwp_primary_selection_device_manager_v1";
    public static final String GTK_MANAGER = "gtk_primary_selection_device_manager";
    /**
     * Set in an alias global's name. Compositors number globals upward from 1, so a real name with this
     * bit is not expected; a zwp global whose name already has it gets no alias.
     */
    public static final int ALIAS_BIT = 0x80000000;

    private final Session session;
    private final RegistryPolicy policy;
    private final MessageSpec globalEvent;
    private final MessageSpec globalRemoveEvent;
    /** Live aliases: alias name to the zwp global behind it and the version offered. */
    private final Map<Integer, Alias> aliases = new ConcurrentHashMap<>();
    /** (registry id, alias name) pairs the client has been told about. */
    private final Set<Long> announced = ConcurrentHashMap.newKeySet();
    private volatile boolean hostHasGtk;

    private record Alias(int zwpName, int version) {
    }

    public PrimarySelectionAliasInterceptor(Session session, RegistryPolicy policy) {
        this.session = session;
        this.policy = policy;
        Interface registry = session.schema().require("wl_registry");
        this.globalEvent = registry.message(false, "global");
        this.globalRemoveEvent = registry.message(false, "global_remove");
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
            case "global_remove" -> globalRemove(chain, m);
            case "bind" -> bind(chain, m);
            default -> chain.proceed(m);
        }
    }

    private void global(Chain chain, Message m) throws ProtocolError {
        int registry = m.objectId();
        int name = m.intArg(0);
        String iface = m.stringArg(1);
        int hostVersion = m.intArg(2);
        if (iface.equals(GTK_MANAGER)) {
            // The host has the real thing: withdraw what we made up, then relay the host's global.
            hostHasGtk = true;
            aliases.clear();
            withdrawAll(registry);
            chain.proceed(m);
            return;
        }
        chain.proceed(m);
        if (!iface.equals(ZWP_MANAGER) || hostHasGtk || (name & ALIAS_BIT) != 0) {
            return;
        }
        int version = aliasVersion(policy, hostVersion);
        if (version == 0) {
            return;
        }
        int aliasName = name | ALIAS_BIT;
        aliases.put(aliasName, new Alias(name, version));
        announced.add(key(registry, aliasName));
        send(new Message(registry, globalEvent, aliasName, GTK_MANAGER, version));
    }

    /**
     * The version of the gtk alias offered for a host zwp global of {@code hostVersion}, or 0 when the policy
     * hides either interface (so {@code deny}, grants and version caps apply to the alias too).
     */
    public static int aliasVersion(RegistryPolicy policy, int hostVersion) {
        RegistryPolicy.Decision zwp = policy.decide(ZWP_MANAGER, hostVersion);
        RegistryPolicy.Decision gtk = policy.decide(GTK_MANAGER, hostVersion);
        return zwp.shown() && gtk.shown() ? Math.min(zwp.version(), gtk.version()) : 0;
    }

    private void globalRemove(Chain chain, Message m) throws ProtocolError {
        int registry = m.objectId();
        int name = m.intArg(0);
        chain.proceed(m);
        for (Map.Entry<Integer, Alias> e : aliases.entrySet()) {
            if (e.getValue().zwpName() == name) {
                aliases.remove(e.getKey());
            }
        }
        int aliasName = name | ALIAS_BIT;
        if ((name & ALIAS_BIT) == 0 && announced.remove(key(registry, aliasName))) {
            send(new Message(registry, globalRemoveEvent, aliasName));
        }
    }

    /** Tells {@code registry} that every alias it heard of is gone. */
    private void withdrawAll(int registry) {
        for (Long k : List.copyOf(announced)) {
            if ((int) (k >>> 32) == registry && announced.remove(k)) {
                send(new Message(registry, globalRemoveEvent, (int) (long) k));
            }
        }
    }

    private void bind(Chain chain, Message m) throws ProtocolError {
        int name = m.intArg(0);
        Alias alias = (name & ALIAS_BIT) != 0 ? aliases.get(name) : null;
        if (alias == null) {
            chain.proceed(m);
            return;
        }
        NewId id = m.newIdArg(1);
        if (!id.interfaceName().equals(GTK_MANAGER)) {
            throw new ProtocolError(m.objectId(), ProtocolError.INVALID_OBJECT, "invalid interface for global "
                    + Integer.toUnsignedString(name) + ": have " + id.interfaceName() + ", wanted " + GTK_MANAGER);
        }
        if (id.version() < 1 || id.version() > alias.version()) {
            throw new ProtocolError(m.objectId(), ProtocolError.INVALID_OBJECT, "invalid version for global " + GTK_MANAGER
                    + " (" + Integer.toUnsignedString(name) + "): have " + id.version() + ", wanted 1 to " + alias.version());
        }
        // Same wire format: the host binds its zwp global; the table remembers what the client asked for.
        m.set(0, alias.zwpName());
        m.set(1, new NewId(ZWP_MANAGER, id.version(), id.id()));
        chain.proceed(m);
        var created = session.objects().get(id.id());
        if (created != null && !created.isZombie()) {
            session.retype(id.id(), session.schema().require(GTK_MANAGER));
        }
    }

    private void send(Message event) {
        try {
            session.inject(Direction.EVENT, event);
        } catch (IOException e) {
            // Only possible off the event thread; the hooks above run on it, where inject only queues.
            throw new UncheckedIOException(e);
        }
    }

    private static long key(int registry, int aliasName) {
        return (long) registry << 32 | (aliasName & 0xffffffffL);
    }
}
