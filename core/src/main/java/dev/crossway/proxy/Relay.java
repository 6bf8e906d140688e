package dev.crossway.proxy;

import dev.crossway.protocol.Arg;
import dev.crossway.protocol.ArgType;
import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.Connection;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.NewId;
import dev.crossway.wire.Wire;
import dev.crossway.wire.WireException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of a session: reads from {@code source}, frames messages, tracks objects, runs
 * interceptors, and hands the result to an {@link Outbox} for {@code sink}. Runs on its own thread.
 *
 * <p>A message nobody watches and that creates or destroys nothing is forwarded without decoding.
 *
 * <p>Where the host's object ids differ from the client's ({@link HostIds}), events are rewritten to
 * session ids as they arrive and requests to host ids as they leave, so the object table and the
 * interceptors only ever see session ids.
 */
final class Relay implements Runnable {
    /** Bytes read per receive; a whole batch of small messages fits. */
    static final int INPUT_SIZE = 64 * 1024;

    private final Session session;
    private final Direction direction;
    private final Connection source;
    /** The peer's bytes; from the kernel, returned when the relay ends. */
    private final ByteBuffer in;
    private final FdQueue inFds = new FdQueue();
    private final Outbox outbox;
    private final RealChain chain;
    private final boolean trace;
    private final MessageSpec deleteId;
    /** {@code wl_display.sync}'s opcode: the host answers it at once. */
    private final int sync;
    private final HostIds hostIds;
    /** The thread running a step of this relay now, else null. */
    private volatile Thread thread;
    private ReentrantLock batch;
    private HostLiveness heard;
    private int queuedFds;
    private boolean ended;

    long messages;
    long bytes;

    // The message being relayed, so the terminal step can forward its original bytes.
    private int currentOffset;
    private int currentSize;
    private Message currentMessage;
    /** What {@link #handle} decodes each message into: no garbage per decoded message. Nothing keeps a message past its handling. */
    private final Message decoded = Message.reusable();
    private boolean currentForwarded;

    /**
     * @param hostIds the host's ids where they differ from the client's, else null
     * @param prefix  events the request relay leaves for this (the event) relay's next send, or null
     */
    Relay(Session session, Direction direction, Connection source, Connection sink, Object sinkLock, Capabilities sinkLimits,
          boolean trace, HostIds hostIds, ByteBuffer prefix) {
        this.session = session;
        this.direction = direction;
        this.source = source;
        this.hostIds = hostIds;
        this.in = session.kernel().allocate(INPUT_SIZE).order(ByteOrder.nativeOrder());
        this.outbox = new Outbox(sink, sinkLock, sinkLimits, in, direction.isRequest() ? hostIds : null, session.kernel(), prefix);
        this.chain = new RealChain(session, this::forward);
        this.trace = trace;
        this.deleteId = session.schema().require("wl_display").message(false, "delete_id");
        this.sync = session.schema().require("wl_display").message(true, "sync").opcode();
    }

    boolean isCurrentThread() {
        return Thread.currentThread() == thread;
    }

    long sends() {
        return outbox.sends();
    }

    boolean traces() {
        return trace;
    }

    /** Sends what is queued now; from this relay's thread. */
    void flush() throws IOException {
        outbox.flush();
    }

    @Override
    public void run() {
        if (begin()) {
            while (step()) {
                // one receive and its batch per step
            }
        }
    }

    /** Before the first receive: the request relay's connect probe, when the host is probed. False when the relay ended. */
    boolean begin() {
        HostLiveness liveness = session.liveness();
        // Taken by the request relay for each batch, so a probe of the host's liveness goes in between.
        batch = liveness != null && direction.isRequest() ? liveness.requestBatch : null;
        heard = direction.isRequest() ? null : liveness;
        return attempt(false);
    }

    /**
     * One receive and the batch it brought; false once the relay has ended (and let go of everything). The
     * relay's thread runs steps in a loop ({@link #run}); a test may run them one at a time from one
     * thread, for both relays of a session, when it knows a receive will not block.
     */
    boolean step() {
        return attempt(true);
    }

    private boolean attempt(boolean receive) {
        if (ended) {
            return false;
        }
        thread = Thread.currentThread();
        try {
            if (!receive) {
                if (batch != null) {
                    session.sendConnectProbe();
                }
                return true;
            }
            if (relayOnce()) {
                return true;
            }
        } catch (WireException e) {
            session.fail(direction, e.objectId(), codeFor(e.kind()), e.getMessage());
        } catch (ProtocolError e) {
            session.fail(direction, e.objectId(), e.code(), e.getMessage());
        } catch (IOException e) {
            session.ioFailed(direction, e);
        } catch (SinkFailed e) {
            session.ioFailed(direction, (IOException) e.getCause());
        } catch (java.io.UncheckedIOException e) {
            session.ioFailed(direction, e.getCause()); // a send an interceptor made failed
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            session.crashed(direction, e); // a bug, or one client's excess: it ends that client only
        } finally {
            thread = null;
        }
        end();
        return false;
    }

    /** Receives once and relays the whole messages that came; false when the peer has closed. */
    private boolean relayOnce() throws WireException, ProtocolError, IOException {
        if (heard != null) {
            heard.awaitingHost();
        }
        int n = source.receive(in, inFds);
        if (heard != null) {
            heard.heard();
        }
        if (n < 0) {
            session.peerClosed(direction);
            return false;
        }
        if (batch != null) {
            batch.lock();
        }
        try {
            in.flip();
            int pos = in.position();
            int limit = in.limit();
            boolean hostAnswers = false;
            while (true) {
                int size = Wire.checkedSize(in, pos, limit);
                if (size == 0 || limit - pos < size) {
                    break;
                }
                hostAnswers |= in.getInt(pos) == 1 && (in.getInt(pos + 4) & 0xffff) == sync;
                handle(pos, size);
                pos += size;
            }
            if (direction.isRequest() && !hostAnswers) {
                // What Crossway answers itself (early releases, delete_ids) leaves before the batch reaches
                // the host: the host's answers to it then find the client's socket free, instead of the
                // event relay waiting on this thread's send (a contended lock: a futex and a context switch).
                // After a wl_display.sync the host answers at once, and the event relay sends them ahead
                // of its answer, in one send: the client wakes once per round trip, as with no proxy.
                session.flushClientEvents();
            }
            outbox.flush();
            if (batch != null && session.liveness().probeWanted()) {
                session.sendProbeInBatch(); // a relay that is always busy never leaves the lock to the watchdog's pool
            }
            in.position(pos);
            in.compact();
        } finally {
            if (batch != null) {
                batch.unlock();
            }
        }
        if (direction.isRequest()) {
            // Fds the client sent ahead of the messages that carry them are held for it, within its limit.
            session.heldFds().queued(queuedFds, inFds.size());
            queuedFds = inFds.size();
        }
        return true;
    }

    /** The relay is over: what it still holds goes, and the session hears of it. Once. */
    private void end() {
        ended = true;
        outbox.discard(session.kernel());
        inFds.closeAll(session.kernel());
        // Only this relay ever touches its buffers, and it has stopped: their memory goes back now.
        outbox.release(session.kernel());
        session.kernel().release(in);
        session.relayEnded();
    }

    private void handle(int offset, int size) throws WireException, ProtocolError, IOException {
        int id = Wire.objectId(in, offset);
        int opcode = Wire.opcode(in, offset);
        if (hostIds != null && !direction.isRequest()) {
            int sessionId = hostIds.eventTarget(id);
            if (sessionId == 0) {
                throw new WireException(WireException.Kind.UNKNOWN_OBJECT, id, "event for unknown object " + Integer.toUnsignedString(id));
            }
            in.putInt(offset, sessionId);
            id = sessionId;
        }
        // A client may not address Crossway's own objects.
        ObjectTable.Entry entry = direction.isRequest() && ObjectTable.isOwn(id) ? null : session.objects().get(id);
        if (entry == null) {
            throw new WireException(WireException.Kind.UNKNOWN_OBJECT, id,
                    (direction.isRequest() ? "request" : "event") + " for unknown object " + Integer.toUnsignedString(id));
        }
        Interface iface = entry.iface();
        MessageSpec spec = direction.isRequest() ? iface.request(opcode) : iface.event(opcode);
        if (spec == null) {
            throw new WireException(WireException.Kind.UNKNOWN_OPCODE, id, iface.name() + "@" + Integer.toUnsignedString(id)
                    + " has no " + (direction.isRequest() ? "request" : "event") + " with opcode " + opcode);
        }
        MessageCodec.checkLayout(in, offset, size, spec); // neither peer gets what its parser would have to refuse
        if (inFds.size() < spec.fdCount()) {
            throw new WireException(WireException.Kind.MISSING_FD, id,
                    spec.qualifiedName() + " needs " + spec.fdCount() + " fd(s) but " + inFds.size() + " arrived");
        }
        messages++;
        bytes += size;
        if (direction.isRequest() && entry.isZombie()) {
            throw new ProtocolError(id, ProtocolError.INVALID_OBJECT,
                    spec.qualifiedName() + " sent to " + iface.name() + "@" + id + ", which was already destroyed");
        }
        if (hostIds != null && !direction.isRequest()) {
            if (!hostIds.eventToSession(in, offset, size, spec, spec == deleteId)) {
                throw new WireException(WireException.Kind.MALFORMED, id, spec.qualifiedName() + " to " + iface.name() + "@"
                        + Integer.toUnsignedString(id) + " names an object the client does not have");
            }
            if (spec == deleteId && ObjectTable.isOwn(in.getInt(offset + Wire.HEADER_SIZE))) {
                session.objects().remove(in.getInt(offset + Wire.HEADER_SIZE)); // the host freed one of Crossway's own ids
                return;
            }
        }
        Interceptor[] hooks = entry.hooks.get(direction, opcode);
        if (hooks == null && !direction.isRequest() && ObjectTable.isOwn(id)) {
            inFds.closeSome(session.kernel(), spec.fdCount()); // an event for Crossway's own object that nobody watches
            return;
        }
        if (hooks == null && !trace && trackWithoutDecoding(offset, size, entry, spec)) {
            outbox.appendRaw(offset, size, spec, inFds, spec.fdCount());
            return;
        }
        Message message = MessageCodec.decode(decoded, in, offset, spec, inFds);
        currentOffset = offset;
        currentSize = size;
        currentMessage = message;
        currentForwarded = false;
        try { // the message holds its fds from here: the finally closes them whatever is thrown
            if (hostIds != null && direction.isRequest()) {
                refuseOwnIds(message);
            }
            if (hooks == null) {
                forward(message);
            } else {
                chain.run(hooks, message);
            }
        } finally {
            if (!currentForwarded) {
                for (int k = 0; k < spec.fdCount(); k++) {
                    int fd = message.fd(k);
                    if (fd >= 0) { // an interceptor that keeps an fd replaces it with -1
                        session.kernel().close(fd);
                    }
                }
            }
            currentMessage = null;
        }
    }

    /**
     * Tracks what a message creates or destroys straight from its bytes when that needs no decoding
     * (the common per-frame cases: {@code wl_surface.frame}, {@code wl_callback.done},
     * {@code delete_id}, destructors), so untouched messages make no garbage.
     *
     * @return false when the message must be decoded to be tracked
     */
    private boolean trackWithoutDecoding(int offset, int size, ObjectTable.Entry entry, MessageSpec spec) throws ProtocolError {
        ObjectTable objects = session.objects();
        int target = Wire.objectId(in, offset);
        if (spec.hasNewId()) {
            int at = spec.newIdOffset();
            if (at < 0 || at + 4 > size) {
                return false;
            }
            String childName = spec.args().get(childIndex(spec)).interfaceName();
            Interface child = session.schema().find(childName);
            if (child == null) {
                return false;
            }
            String problem = objects.create(in.getInt(offset + at), direction.isRequest(), child, entry.version(), session.hooksFor(child));
            if (problem != null) {
                throw new ProtocolError(target, ProtocolError.INVALID_OBJECT, spec.qualifiedName() + ": " + problem);
            }
        } else if (spec == deleteId) {
            if (size != 12) {
                return false;
            }
            objects.remove(in.getInt(offset + 8));
        }
        if (spec.isDestructor()) {
            objects.destroy(target);
        }
        return true;
    }

    private static int childIndex(MessageSpec spec) {
        List<Arg> args = spec.args();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).type() == ArgType.NEW_ID) {
                return i;
            }
        }
        throw new IllegalStateException(spec + " has no new_id");
    }

    /** A client message may name Crossway's own objects in none of its arguments. */
    private static void refuseOwnIds(Message message) throws ProtocolError {
        List<Arg> args = message.spec().args();
        for (int i = 0; i < args.size(); i++) {
            ArgType t = args.get(i).type();
            if ((t == ArgType.OBJECT || t == ArgType.NEW_ID) && ObjectTable.isOwn(message.intArg(i))) {
                throw new ProtocolError(message.objectId(), ProtocolError.INVALID_OBJECT, message.spec().qualifiedName()
                        + ": unknown object " + Integer.toUnsignedString(message.intArg(i)));
            }
        }
    }

    /** The end of the chain: update the object table, trace, and queue for sending. */
    private void forward(Message message) throws ProtocolError {
        track(message);
        if (trace) {
            session.trace(direction, message);
        }
        if (!direction.isRequest() && ObjectTable.isOwn(message.objectId())) {
            return; // an event for one of Crossway's own objects that its interceptor let through: the client has no such object
        }
        try {
            if (message == currentMessage && !message.isModified()) {
                outbox.appendRaw(currentOffset, currentSize, message);
            } else {
                outbox.appendEncoded(message);
            }
            if (message == currentMessage) {
                currentForwarded = true;
            }
        } catch (WireException e) {
            throw new ProtocolError(message.objectId(), ProtocolError.IMPLEMENTATION, e.getMessage());
        } catch (IOException e) {
            throw new SinkFailed(e);
        }
    }

    /** Queues a message that did not arrive on this relay's source (injection from this thread). */
    void inject(Message message) throws IOException {
        try {
            if (trace) {
                session.trace(direction, message);
            }
            outbox.appendEncoded(message);
        } catch (WireException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (ProtocolError e) {
            throw new IllegalArgumentException("Crossway injected a message the host cannot take: " + e.getMessage(), e);
        }
    }

    /**
     * Records what a peer's message creates or destroys without sending it: an interceptor answers it
     * itself. A destroyed object the host never had is the relay's to free: the client gets its
     * {@code wl_display.delete_id} from here, as the host would have sent it.
     */
    void consume(Message message) throws ProtocolError {
        track(message);
        if (trace) {
            session.trace(direction, message, " (kept by Crossway)");
        }
        int target = message.objectId();
        if (direction.isRequest() && message.spec().isDestructor() && hostIds != null && !hostIds.hasHostObject(target)) {
            session.objects().remove(target);
            try {
                session.injectEvent(1, deleteId, target);
            } catch (IOException e) {
                throw new SinkFailed(e);
            }
        }
    }

    /** Object creation and destruction, as the message declares it. */
    private void track(Message message) throws ProtocolError {
        MessageSpec spec = message.spec();
        ObjectTable objects = session.objects();
        int target = message.objectId();
        if (spec.hasNewId()) {
            ObjectTable.Entry parent = objects.get(target);
            List<Arg> args = spec.args();
            for (int i = 0; i < args.size(); i++) {
                Arg a = args.get(i);
                if (a.type() != ArgType.NEW_ID) {
                    continue;
                }
                String ifaceName;
                int version;
                int id;
                if (a.isUntypedNewId()) {
                    NewId n = message.newIdArg(i);
                    ifaceName = n.interfaceName();
                    version = n.version();
                    id = n.id();
                } else {
                    ifaceName = a.interfaceName();
                    version = parent.version();
                    id = message.intArg(i);
                }
                Interface iface = session.schema().find(ifaceName);
                if (iface == null) {
                    throw new ProtocolError(target, ProtocolError.INVALID_OBJECT,
                            spec.qualifiedName() + " creates a " + ifaceName + ", an interface Crossway does not know");
                }
                String problem = objects.create(id, direction.isRequest(), iface, version, session.hooksFor(iface));
                if (problem != null) {
                    throw new ProtocolError(target, ProtocolError.INVALID_OBJECT, spec.qualifiedName() + ": " + problem);
                }
            }
        }
        if (spec.isDestructor()) {
            objects.destroy(target);
        }
        if (spec == deleteId) {
            objects.remove(message.intArg(0));
        }
    }

    private static int codeFor(WireException.Kind kind) {
        return switch (kind) {
            case UNKNOWN_OBJECT -> ProtocolError.INVALID_OBJECT;
            case UNKNOWN_OPCODE -> ProtocolError.INVALID_METHOD;
            default -> ProtocolError.INVALID_METHOD;
        };
    }

    /** The sink failed while an interceptor was on the stack; unwrapped in {@link #run}. */
    static final class SinkFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SinkFailed(IOException cause) {
            super(cause);
        }
    }
}
