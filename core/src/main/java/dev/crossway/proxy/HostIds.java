package dev.crossway.proxy;

import dev.crossway.protocol.Arg;
import dev.crossway.protocol.ArgType;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.wire.Wire;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Object ids on the host connection, for a session whose ids there differ from the client's: where
 * Crossway creates objects of its own on the host (host shm buffers) and keeps some of the client's
 * to itself (client shm pools and buffers).
 *
 * <p>libwayland-server accepts a client's new ids only in order ({@code wl_map_reserve_new}: a freed
 * id, or the next one), so host ids are allocated here as libwayland-client does: the id freed last,
 * else the next. A host id is freed when the host's {@code wl_display.delete_id} for it arrives, never
 * earlier. Ids are rewritten in place, in the relay's own buffers, guided by each message's
 * {@link MessageSpec#idOffset id layout}: session ids (the client's, and Crossway's own from
 * {@link ObjectTable#OWN_ID_START}) to host ids in requests, back in events. Server ids
 * ({@code >= 0xff000000}) are the same on both sides and pass unchanged.
 *
 * <p>Thread-safe: the request relay allocates and maps, the event relay maps and frees. Lookups take no
 * lock (every message needs some, on both relays); changes to the tables are serialized.
 */
final class HostIds {
    /** Session id to host id, for client ids (by id) and own ids (after them, by own index); 0 where none. */
    private volatile AtomicIntegerArray toHost = new AtomicIntegerArray(64);
    private volatile AtomicIntegerArray ownToHost = new AtomicIntegerArray(16);
    /** Host id to session id; 0 where free. */
    private volatile AtomicIntegerArray toSession = new AtomicIntegerArray(64);
    // Guarded by this, as is every change to the three tables.
    private int[] freed = new int[16];
    private int freedCount;
    private int next = 2;

    HostIds() {
        toHost.set(1, 1);
        toSession.set(1, 1);
    }

    /** Whether {@code sessionId} has an object on the host (server ids always do). */
    boolean hasHostObject(int sessionId) {
        return isServerId(sessionId) || host(sessionId) != 0;
    }

    /** The host id of a session id, 0 when it has none. */
    int hostId(int sessionId) {
        return isServerId(sessionId) ? sessionId : host(sessionId);
    }

    /**
     * Rewrites a request's ids to host ids in place: its target, its object arguments and its new ids
     * (each new id gets a fresh host id). {@code fromClient}: the bytes are the client's own, which may
     * not name Crossway's objects.
     *
     * @throws ProtocolError when the request names an object the host does not have
     */
    void requestToHost(ByteBuffer buf, int offset, int size, MessageSpec spec, boolean fromClient) throws ProtocolError {
        int target = buf.getInt(offset);
        buf.putInt(offset, objectToHost(target, target, spec, fromClient));
        if (rewriteArgs(buf, offset, size, spec, true, target, fromClient) != OK) {
            throw new ProtocolError(target, ProtocolError.INVALID_METHOD, spec.qualifiedName() + ": " + size
                    + " bytes are too few for its arguments");
        }
    }

    private static final int OK = 0;
    private static final int TOO_SHORT = 1;
    private static final int UNKNOWN = 2;

    /**
     * Rewrites every object and new_id argument in place, guided by the message's id layout: to host ids
     * ({@code toHost}, a request) or to session ids (an event, whose new ids are server ids and stay).
     *
     * @return OK, TOO_SHORT when the arguments do not fit the message, UNKNOWN when an event names an
     *     object the session does not have
     */
    private int rewriteArgs(ByteBuffer buf, int offset, int size, MessageSpec spec, boolean toHost, int target, boolean fromClient)
            throws ProtocolError {
        int n = spec.idCount();
        if (n == 0) {
            return OK;
        }
        if (spec.hasFixedIdOffsets()) {
            if (spec.idOffset(n - 1) + 4 > size) {
                return TOO_SHORT;
            }
            for (int i = 0; i < n; i++) {
                if (!rewriteId(buf, offset + spec.idOffset(i), spec.isNewId(i), toHost, target, spec, fromClient)) {
                    return UNKNOWN;
                }
            }
            return OK;
        }
        List<Arg> args = spec.args();
        int at = offset + Wire.HEADER_SIZE;
        int end = offset + size;
        for (int i = 0; i < args.size(); i++) {
            Arg a = args.get(i);
            if (a.type() == ArgType.FD) {
                continue;
            }
            at = idOrNext(buf, at, end, a);
            if (at < 0) {
                return TOO_SHORT;
            }
            if ((a.type() == ArgType.OBJECT || a.type() == ArgType.NEW_ID)
                    && !rewriteId(buf, at, a.type() == ArgType.NEW_ID, toHost, target, spec, fromClient)) {
                return UNKNOWN;
            }
            at += a.type() == ArgType.STRING || a.type() == ArgType.ARRAY ? 4 + Wire.pad(buf.getInt(at)) : 4;
        }
        return OK;
    }

    private boolean rewriteId(ByteBuffer buf, int at, boolean newId, boolean toHost, int target, MessageSpec spec, boolean fromClient)
            throws ProtocolError {
        if (toHost) {
            rewriteRequestId(buf, at, newId, target, spec, fromClient);
            return true;
        }
        return newId || rewriteEventId(buf, at);
    }

    /**
     * Where argument {@code a} starts, at or after {@code at}; for an untyped new_id, where its id
     * word is (after the interface name and version). -1 when it would not fit before {@code end}.
     */
    private static int idOrNext(ByteBuffer buf, int at, int end, Arg a) {
        if (a.isUntypedNewId()) {
            if (at + 4 > end) {
                return -1;
            }
            long skip = 4L + Wire.pad(buf.getInt(at) & 0x7fffffff) + 4;
            at = skip > end - at ? end : (int) (at + skip);
        }
        if (at + 4 > end) {
            return -1;
        }
        if ((a.type() == ArgType.STRING || a.type() == ArgType.ARRAY) && (buf.getInt(at) & 0xffffffffL) > end - at - 4) {
            return -1;
        }
        return at;
    }

    private void rewriteRequestId(ByteBuffer buf, int at, boolean newId, int target, MessageSpec spec, boolean fromClient)
            throws ProtocolError {
        int id = buf.getInt(at);
        if (id == 0 || isServerId(id)) {
            return;
        }
        if (!newId) {
            buf.putInt(at, objectToHost(id, target, spec, fromClient));
            return;
        }
        if (fromClient && ObjectTable.isOwn(id)) {
            throw new ProtocolError(target, ProtocolError.INVALID_OBJECT, spec.qualifiedName() + ": invalid new id " + Integer.toUnsignedString(id));
        }
        buf.putInt(at, map(id));
    }

    private int objectToHost(int id, int target, MessageSpec spec, boolean fromClient) throws ProtocolError {
        if (isServerId(id)) {
            return id;
        }
        int host = fromClient && ObjectTable.isOwn(id) ? 0 : host(id);
        if (host == 0) {
            throw new ProtocolError(target, ProtocolError.INVALID_OBJECT, spec.qualifiedName() + ": object "
                    + Integer.toUnsignedString(id) + " exists only inside Crossway (guest memory is separate from the host's),"
                    + " so it cannot be passed to the host compositor");
        }
        return host;
    }

    /** The session id of an event's target, or 0 when the host named an id it never had. */
    int eventTarget(int hostId) {
        if (isServerId(hostId)) {
            return hostId;
        }
        AtomicIntegerArray t = toSession;
        return hostId > 0 && hostId < t.length() ? t.get(hostId) : 0;
    }

    /**
     * Rewrites an event's object arguments to session ids in place (new ids in events are server ids
     * and stay). For {@code wl_display.delete_id} the id argument is rewritten and its host id freed.
     *
     * @return false when an object argument is unknown to the session (the host broke the protocol)
     */
    boolean eventToSession(ByteBuffer buf, int offset, int size, MessageSpec spec, boolean deleteId) {
        if (deleteId) {
            if (size < Wire.HEADER_SIZE + 4) {
                return false;
            }
            int host = buf.getInt(offset + Wire.HEADER_SIZE);
            int session = eventTarget(host);
            if (session == 0 || isServerId(host)) {
                return session != 0;
            }
            buf.putInt(offset + Wire.HEADER_SIZE, session);
            free(session, host);
            return true;
        }
        try {
            return rewriteArgs(buf, offset, size, spec, false, 0, false) == OK;
        } catch (ProtocolError e) {
            throw new IllegalStateException("events are never refused by id", e); // only requests throw
        }
    }

    private boolean rewriteEventId(ByteBuffer buf, int at) {
        int host = buf.getInt(at);
        if (host == 0 || isServerId(host)) {
            return true;
        }
        int session = eventTarget(host);
        buf.putInt(at, session);
        return session != 0;
    }

    /** Gives new session id {@code sessionId} a host id: the one freed last, else the next. */
    private synchronized int map(int sessionId) {
        int host = freedCount > 0 ? freed[--freedCount] : next++;
        setHost(sessionId, host);
        if (host >= toSession.length()) {
            toSession = grown(toSession, host);
        }
        toSession.set(host, sessionId);
        return host;
    }

    /** The host deleted {@code host}, which was {@code sessionId}'s: both are free again. */
    private synchronized void free(int sessionId, int host) {
        setHost(sessionId, 0);
        toSession.set(host, 0);
        if (freedCount == freed.length) {
            freed = Arrays.copyOf(freed, freedCount * 2);
        }
        freed[freedCount++] = host;
    }

    private int host(int sessionId) {
        if (ObjectTable.isOwn(sessionId)) {
            int i = sessionId - ObjectTable.OWN_ID_START;
            AtomicIntegerArray t = ownToHost;
            return i < t.length() ? t.get(i) : 0;
        }
        AtomicIntegerArray t = toHost;
        return sessionId > 0 && sessionId < t.length() ? t.get(sessionId) : 0;
    }

    /** Under the lock. */
    private void setHost(int sessionId, int host) {
        if (ObjectTable.isOwn(sessionId)) {
            int i = sessionId - ObjectTable.OWN_ID_START;
            if (i >= ownToHost.length()) {
                ownToHost = grown(ownToHost, i);
            }
            ownToHost.set(i, host);
        } else {
            if (sessionId >= toHost.length()) {
                toHost = grown(toHost, sessionId);
            }
            toHost.set(sessionId, host);
        }
    }

    /** A copy with room for {@code index}; published by the caller, under the lock. */
    private static AtomicIntegerArray grown(AtomicIntegerArray table, int index) {
        AtomicIntegerArray bigger = new AtomicIntegerArray(Math.max(index + 1, table.length() * 2));
        for (int i = 0; i < table.length(); i++) {
            bigger.set(i, table.get(i));
        }
        return bigger;
    }

    private static boolean isServerId(int id) {
        return Integer.compareUnsigned(id, ObjectTable.SERVER_ID_START) >= 0;
    }
}
