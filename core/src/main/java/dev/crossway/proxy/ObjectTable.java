package dev.crossway.proxy;

import dev.crossway.protocol.Interface;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The objects of one session: id to interface and version, in libwayland's two id spaces (client ids
 * from 1, server ids from {@link #SERVER_ID_START}), each a dense array like libwayland's
 * {@code wl_map}.
 *
 * <p>A destroyed client object stays as a <em>zombie</em> until the compositor's
 * {@code wl_display.delete_id}: events may still arrive for it, and their fds must be consumed. A
 * destroyed server object stays a zombie until its id is reused.
 *
 * <p>Thread-safe: the request and event relays both update it. Lookups, one or more per message on
 * both relays, take no lock (entries are read with volatile semantics); changes are serialized. A
 * lock shared by both relays on every message made them wait for each other.
 */
public final class ObjectTable {
    /** libwayland's {@code WL_SERVER_ID_START}: ids the compositor allocates start here. */
    public static final int SERVER_ID_START = 0xff000000;
    /** Upper bound on either id space, so a hostile id cannot make us allocate gigabytes. */
    public static final int MAX_IDS = 1 << 20;
    /**
     * Ids of the objects Crossway creates on the host itself (see {@link Session#newOwnObject}): in the
     * client range but far above any id a client may use ({@link #MAX_IDS}), so they never collide.
     */
    public static final int OWN_ID_START = 0xfe000000;
    /** Versions below this share entries: all of the built-in table's (the highest, org_kde_plasma_window_management, is 19). */
    private static final int SHARED_VERSIONS = 32;

    /**
     * What the table knows of a live or zombie object. {@code hooks} caches the interceptors for its
     * interface. Immutable, so objects of one interface and version share one.
     */
    public static final class Entry {
        final Interface iface;
        final int version;
        final InterfaceHooks hooks;
        final boolean zombie;
        /** The same object destroyed; made once, under the table's lock. */
        private Entry destroyed;

        Entry(Interface iface, int version, InterfaceHooks hooks, boolean zombie) {
            this.iface = iface;
            this.version = version;
            this.hooks = hooks;
            this.zombie = zombie;
        }

        public Interface iface() {
            return iface;
        }

        public int version() {
            return version;
        }

        public boolean isZombie() {
            return zombie;
        }
    }

    /** The highest client id this table accepts: the client's object limit. */
    private final int maxClientId;
    private volatile AtomicReferenceArray<Entry> client = new AtomicReferenceArray<>(64);
    private volatile AtomicReferenceArray<Entry> server = new AtomicReferenceArray<>(16);
    private volatile AtomicReferenceArray<Entry> own = new AtomicReferenceArray<>(16);
    private int live;
    /**
     * Shared live entries by interface, then version (up to {@link #SHARED_VERSIONS}): a client that makes
     * a {@code wl_callback} per frame makes no garbage here. Guarded by this.
     */
    private final Map<Interface, Entry[]> shared = new IdentityHashMap<>();

    /** A table whose client ids may run up to {@link #MAX_IDS} - 1. */
    public ObjectTable() {
        this(MAX_IDS - 1);
    }

    /**
     * @param maxClientId the highest new id a client may use ({@code crossway.limits.objects-per-client}):
     *                    libwayland clients reuse freed ids, so their ids stay below the number of objects they hold
     */
    public ObjectTable(int maxClientId) {
        if (maxClientId < 1 || maxClientId >= MAX_IDS) {
            throw new IllegalArgumentException("client ids must be allowed up to 1.." + (MAX_IDS - 1) + ", not " + maxClientId);
        }
        this.maxClientId = maxClientId;
    }

    /** Whether {@code id} names one of Crossway's own objects. */
    public static boolean isOwn(int id) {
        return Integer.compareUnsigned(id, OWN_ID_START) >= 0 && Integer.compareUnsigned(id, SERVER_ID_START) < 0;
    }

    /** Creates one of Crossway's own objects at the lowest free own id, and returns that id. */
    synchronized int createOwn(Interface iface, int version, InterfaceHooks hooks) {
        int index = 0;
        while (index < own.length() && own.get(index) != null) {
            index++;
        }
        if (index == MAX_IDS) {
            throw new IllegalStateException("Crossway holds " + MAX_IDS + " objects of its own in one session");
        }
        if (index == own.length()) {
            own = grown(own, index);
        }
        own.set(index, entry(iface, version, hooks));
        live++;
        return OWN_ID_START + index;
    }

    /** The entry for {@code id}, live or zombie, or null. */
    public Entry get(int id) {
        if (id == 0) {
            return null;
        }
        AtomicReferenceArray<Entry> space = space(id);
        int index = index(id);
        return index >= 0 && index < space.length() ? space.get(index) : null;
    }

    /**
     * Creates an object. Fails when the id is in the wrong space for its creator or names a live
     * object.
     *
     * @return null on success, otherwise why the id is invalid
     */
    public synchronized String create(int id, boolean byClient, Interface iface, int version, InterfaceHooks hooks) {
        if (id == 0) {
            return "new id 0 is invalid";
        }
        boolean clientSpace = Integer.compareUnsigned(id, SERVER_ID_START) < 0;
        if (clientSpace != byClient) {
            return "new id " + Integer.toUnsignedString(id) + " is not in the " + (byClient ? "client" : "server") + " id range";
        }
        int index = clientSpace ? id : id - SERVER_ID_START;
        // Unsigned: client ids from 0x80000000 are negative as ints. This also keeps clients out of OWN_ID_START up.
        if (clientSpace && Integer.compareUnsigned(index, maxClientId) > 0) {
            return "new id " + Integer.toUnsignedString(id) + " is out of range: a client may hold at most " + maxClientId
                    + " objects, with ids 1 to " + maxClientId + " (raise crossway.limits.objects-per-client, --objects-per-client)";
        }
        if (!clientSpace && index >= MAX_IDS) {
            return "new id " + Integer.toUnsignedString(id) + " is out of range: a session holds at most " + MAX_IDS + " server objects";
        }
        AtomicReferenceArray<Entry> space = grow(clientSpace, index);
        Entry old = space.get(index);
        if (old != null && !old.zombie) {
            return "new id " + Integer.toUnsignedString(id) + " is already in use by a " + old.iface.name();
        }
        space.set(index, entry(iface, version, hooks));
        live++;
        return null;
    }

    /** Marks an object destroyed; its entry stays until {@link #remove}. */
    public synchronized void destroy(int id) {
        Entry e = get(id);
        if (e != null && !e.zombie) {
            if (e.destroyed == null) {
                e.destroyed = new Entry(e.iface, e.version, e.hooks, true);
            }
            space(id).set(index(id), e.destroyed);
            live--;
        }
    }

    /** Forgets an id ({@code wl_display.delete_id}). */
    public synchronized void remove(int id) {
        Entry e = get(id);
        if (e == null) {
            return;
        }
        if (!e.zombie) {
            live--;
        }
        space(id).set(index(id), null);
    }

    /**
     * Records another interface for a live object, keeping its version; see {@link Session#retype}.
     *
     * @return null on success, otherwise why the id cannot be retyped
     */
    synchronized String retype(int id, Interface iface, InterfaceHooks hooks) {
        Entry e = get(id);
        if (e == null || e.zombie) {
            return "no live object " + Integer.toUnsignedString(id);
        }
        space(id).set(index(id), entry(iface, e.version, hooks));
        return null;
    }

    /** Objects not destroyed. */
    public synchronized int liveCount() {
        return live;
    }

    /** The live entry for an object of {@code iface} and {@code version}: shared, or new for rare versions. */
    private Entry entry(Interface iface, int version, InterfaceHooks hooks) {
        if (version < 0 || version >= SHARED_VERSIONS) {
            return new Entry(iface, version, hooks, false);
        }
        Entry[] byVersion = shared.computeIfAbsent(iface, i -> new Entry[SHARED_VERSIONS]);
        Entry e = byVersion[version];
        if (e == null || e.hooks != hooks) {
            e = new Entry(iface, version, hooks, false);
            byVersion[version] = e;
        }
        return e;
    }

    private AtomicReferenceArray<Entry> space(int id) {
        return isOwn(id) ? own : Integer.compareUnsigned(id, SERVER_ID_START) < 0 ? client : server;
    }

    private static int index(int id) {
        return isOwn(id) ? id - OWN_ID_START : Integer.compareUnsigned(id, SERVER_ID_START) < 0 ? id : id - SERVER_ID_START;
    }

    private AtomicReferenceArray<Entry> grow(boolean clientSpace, int index) {
        AtomicReferenceArray<Entry> space = clientSpace ? client : server;
        if (index < space.length()) {
            return space;
        }
        AtomicReferenceArray<Entry> bigger = grown(space, index);
        if (clientSpace) {
            client = bigger;
        } else {
            server = bigger;
        }
        return bigger;
    }

    /** A copy of {@code space} with room for {@code index}; published by the caller, under the lock. */
    private static AtomicReferenceArray<Entry> grown(AtomicReferenceArray<Entry> space, int index) {
        AtomicReferenceArray<Entry> bigger = new AtomicReferenceArray<>(Math.max(index + 1, space.length() * 2));
        for (int i = 0; i < space.length(); i++) {
            bigger.set(i, space.get(i));
        }
        return bigger;
    }
}
