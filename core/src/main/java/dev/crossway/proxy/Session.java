package dev.crossway.proxy;

import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.protocol.Schema;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.Connection;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostConnection;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.WireException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One guest client and its own connection to the host compositor: two {@link Relay}s (requests and
 * events), each on its own thread, sharing one {@link ObjectTable}.
 *
 * <p>Failure stays inside the session: a client that breaks the protocol gets {@code wl_display.error}
 * and is disconnected; a host that goes away closes the client. Nothing here touches other sessions.
 */
public final class Session {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    private static final Logger TRACE = LoggerFactory.getLogger("crossway.trace");
    private static final long T0 = System.nanoTime();
    /** Incident numbers of internal errors, which the client is told and the log repeats. */
    private static final java.util.concurrent.atomic.AtomicLong INCIDENTS = new java.util.concurrent.atomic.AtomicLong();
    // Log lines clients can cause, limited across the daemon: a hostile client that reconnects gets a few lines a window.
    private static final java.time.Duration LOG_WINDOW = java.time.Duration.ofSeconds(10);
    private static final LogLimiter PROTOCOL_ERRORS = new LogLimiter(LOG, "protocol errors", "clients", 10, LOG_WINDOW);
    private static final LogLimiter HOST_ERRORS = new LogLimiter(LOG, "host failures", "clients", 10, LOG_WINDOW);
    private static final LogLimiter INTERNAL_ERRORS = new LogLimiter(LOG, "internal errors", "incidents", 5, LOG_WINDOW);
    private static final LogLimiter CONNECTION_ERRORS = new LogLimiter(LOG, "connection errors", "clients", 10, LOG_WINDOW);
    /** Limits for sending to a guest client: libwayland reads at most 28 fds per recvmsg. */
    static final Capabilities CLIENT_LIMITS = new Capabilities(true, true, 28, 16 * 1024);

    private final int id;
    private final Connection client;
    private final HostConnection host;
    private final Schema schema;
    private final SessionListener listener;
    private final ObjectTable objects;
    private final HeldFds heldFds;
    private final List<Interceptor> interceptors = new ArrayList<>();
    private final Map<Interface, InterfaceHooks> hooks = new IdentityHashMap<>();
    private final Map<MessageSpec, List<Interceptor>> hooked = new IdentityHashMap<>();
    private final Object clientLock = new Object();
    private final Object hostLock = new Object();
    private final Relay requests;
    private final Relay events;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger running = new AtomicInteger();
    private final Kernel kernel;
    /** The host's object ids where they differ from the client's; null when they are the same. */
    private final HostIds hostIds;
    /** Events sent to the client from outside both relays, without garbage; guarded by clientLock. */
    private final ByteBuffer eventScratch = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    /** Events the request relay sends the client, collected until the end of its batch; guarded by itself. */
    private final ByteBuffer clientEvents = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    private final FdQueue noFds = new FdQueue();
    private volatile int globalsOffered;
    private volatile int globalsShown;
    private final List<String> hiddenGlobals = new ArrayList<>();
    /** The host's liveness, when Crossway probes it (see {@link HostCheck}); else null. */
    private final HostLiveness liveness;
    /** The probe's bytes: a {@code wl_display.sync}; guarded by the liveness lock. */
    private final ByteBuffer probe;
    private final FdQueue probeFds = new FdQueue();
    private final MessageSpec sync;
    /** Why the host was given up on, when the watchdog did. */
    private volatile String hostFailure;
    private volatile boolean endedInError;

    /**
     * @param kernel closes and maps the fds this session owns (the native layer lives outside core)
     */
    public Session(int id, Connection client, HostConnection host, SessionOptions options, SessionListener listener,
                   Kernel kernel) {
        this.id = id;
        this.client = client;
        this.host = host;
        this.schema = options.schema();
        this.listener = listener;
        this.kernel = kernel;
        this.objects = new ObjectTable(options.limits().objectsPerClient());
        this.heldFds = new HeldFds(id, options.limits().fdsPerClient(), options.limits().daemonFds());
        for (InterceptorFactory f : options.interceptors()) {
            Interceptor interceptor = f.create(this);
            interceptors.add(interceptor);
            for (Interceptor.Hook h : interceptor.hooks()) {
                Interface iface = schema.find(h.interfaceName());
                MessageSpec spec = iface == null ? null : iface.message(h.direction().isRequest(), h.messageName());
                if (spec == null) {
                    LOG.debug("{} watches {}, which the schema lacks; hook ignored", interceptor.getClass().getSimpleName(), h);
                    continue;
                }
                hooked.computeIfAbsent(spec, k -> new ArrayList<>()).add(interceptor);
            }
        }
        Interface display = schema.require("wl_display");
        objects.create(1, true, display, 1, hooksFor(display));
        this.hostIds = interceptors.stream().anyMatch(Interceptor::createsHostObjects) ? new HostIds() : null;
        // Probes need an object of Crossway's own on the host, so only sessions that translate ids have them.
        this.liveness = hostIds != null && options.hostCheck().isOn() ? new HostLiveness(this, options.hostCheck()) : null;
        this.probe = liveness != null ? ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder()) : null;
        this.sync = display.message(true, "sync");
        this.requests = new Relay(this, Direction.REQUEST, client, host, hostLock, host.capabilities(), options.traceRequests(), hostIds, null);
        this.events = new Relay(this, Direction.EVENT, host, client, clientLock, CLIENT_LIMITS, options.traceEvents(), hostIds, clientEvents);
    }

    /** Starts both relay threads. */
    public void start() {
        running.set(2);
        listener.sessionStarted(this);
        if (liveness != null) {
            liveness.started(System.nanoTime());
            HostWatchdog.watch(liveness);
        }
        startThread(requests, "requests");
        startThread(events, "events");
    }

    /**
     * Starts the session without relay threads, for deterministic tests (the fuzz harnesses): the test
     * then runs each relay a step at a time ({@link #stepRequests}, {@link #stepEvents}), from one thread,
     * when it knows the step's receive will not block. No host check runs.
     */
    void startInline() {
        running.set(2);
        listener.sessionStarted(this);
        requests.begin();
        events.begin();
    }

    /** One receive of the request relay and the batch it brought; false once it has ended. */
    boolean stepRequests() {
        return requests.step();
    }

    /** One receive of the event relay and the batch it brought; false once it has ended. */
    boolean stepEvents() {
        return events.step();
    }

    private void startThread(Relay relay, String what) {
        // Small stacks: a daemon may serve hundreds of clients, two threads each.
        Thread t = new Thread(null, relay, "crossway-client-" + id + "-" + what, 256 * 1024);
        t.setDaemon(true);
        t.start();
    }

    public int id() {
        return id;
    }

    public Schema schema() {
        return schema;
    }

    public ObjectTable objects() {
        return objects;
    }

    public HostConnection host() {
        return host;
    }

    /** What the host side can carry; interceptors adapt to it. */
    public Capabilities hostCapabilities() {
        return host.capabilities();
    }

    /** Guest kernel services for fds the session owns. */
    public Kernel kernel() {
        return kernel;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** The fds this client makes the daemon hold, against its limit; interceptors that keep fds count them here. */
    public HeldFds heldFds() {
        return heldFds;
    }

    /** Whether the session ended because a peer broke the protocol, the host stopped answering, or Crossway failed. */
    public boolean endedInError() {
        return endedInError;
    }

    HostLiveness liveness() {
        return liveness;
    }

    /**
     * Sends the host the {@code wl_display.sync} of Crossway's own that the watchdog asked for, if it is
     * still due, between the request relay's batches (so host ids stay in sending order); its answer
     * reaches no client. {@code block}: wait for the relay's batch to end, else give up when one is in
     * progress (the relay then sends it itself, after that batch).
     */
    void sendProbe(boolean block) throws IOException {
        java.util.concurrent.locks.ReentrantLock lock = liveness.requestBatch;
        if (block) {
            lock.lock();
        } else if (!lock.tryLock()) {
            return;
        }
        try {
            sendProbeInBatch();
        } finally {
            lock.unlock();
        }
    }

    /** The connect probe: the request relay's first act, before anything of the client's. */
    void sendConnectProbe() throws IOException {
        liveness.requestBatch.lock();
        try {
            writeProbe();
            liveness.connectProbeSent();
        } finally {
            liveness.requestBatch.unlock();
        }
    }

    /** Sends a due probe; the caller holds the batch lock (the request relay, after a batch). */
    void sendProbeInBatch() throws IOException {
        if (liveness.claimProbe() && !closed.get()) {
            writeProbe();
        }
    }

    private void writeProbe() throws IOException {
        Interface callbackIface = schema.require("wl_callback");
        int callback = objects.createOwn(callbackIface, 1, hooksFor(callbackIface));
        probe.clear();
        probe.putInt(1).putInt(dev.crossway.wire.Wire.sizeAndOpcode(12, sync.opcode())).putInt(callback).flip();
        try {
            hostIds.requestToHost(probe, 0, 12, sync, false);
        } catch (ProtocolError e) {
            throw new IllegalStateException("Crossway's own probe refused: " + e.getMessage(), e);
        }
        if (requests.traces()) {
            trace(Direction.REQUEST, new Message(1, sync, callback), " (Crossway's own: is the host still there?)");
        }
        synchronized (hostLock) {
            host.send(probe, probeFds);
        }
    }

    /**
     * Records {@code iface} as the interface of the live object {@code id}, in place of the one its
     * creating message named. For interceptors that relay an interface under a second name with the same
     * wire format: later messages, traces and hooks follow the name the client used. Call it from the
     * relay thread that forwarded the creating message, before that batch is flushed.
     *
     * @throws IllegalStateException when {@code id} is not a live object
     */
    public void retype(int id, Interface iface) {
        String problem = objects.retype(id, iface, hooksFor(iface));
        if (problem != null) {
            throw new IllegalStateException("cannot record " + iface.name() + " for object " + Integer.toUnsignedString(id)
                    + ": " + problem);
        }
    }

    /** Interceptors watching messages of {@code iface}; computed once per interface. */
    synchronized InterfaceHooks hooksFor(Interface iface) {
        InterfaceHooks known = hooks.get(iface); // first: the lambda below captures this, an allocation per call
        if (known != null) {
            return known;
        }
        return hooks.computeIfAbsent(iface, i -> {
            InterfaceHooks h = null;
            for (MessageSpec m : i.requests()) {
                h = addHooks(h, i, Direction.REQUEST, m);
            }
            for (MessageSpec m : i.events()) {
                h = addHooks(h, i, Direction.EVENT, m);
            }
            return h == null ? InterfaceHooks.NONE : h;
        });
    }

    private InterfaceHooks addHooks(InterfaceHooks h, Interface iface, Direction d, MessageSpec m) {
        List<Interceptor> list = hooked.get(m);
        if (list == null) {
            return h;
        }
        InterfaceHooks out = h == null ? InterfaceHooks.sized(iface) : h;
        for (Interceptor i : list) {
            out.add(d, m.opcode(), i);
        }
        return out;
    }

    /**
     * Creates one of Crossway's own objects: an object on the host that the client never sees (a host
     * shm buffer, say). Returns its id, which the interceptor uses in messages it injects toward the
     * host; the host's id for it is allocated when the creating request is sent. The host's events to
     * it reach only the interceptors, and the host's {@code delete_id} frees it. Only for interceptors
     * that {@linkplain Interceptor#createsHostObjects create host objects}.
     */
    public int newOwnObject(String interfaceName, int version) {
        if (hostIds == null) {
            throw new IllegalStateException("no interceptor of this session declared createsHostObjects()");
        }
        Interface iface = schema.require(interfaceName);
        return objects.createOwn(iface, version, hooksFor(iface));
    }

    /** Whether the host's object ids differ from the client's (Crossway keeps objects of its own there). */
    public boolean translatesIds() {
        return hostIds != null;
    }

    /**
     * For an interceptor that answers a client request itself instead of forwarding it: records the
     * objects it creates or destroys. When it destroys an object the host never had, the client gets
     * its {@code wl_display.delete_id} as the host would have sent it. Call from the request relay thread.
     */
    public void consume(Message message) throws ProtocolError {
        if (!requests.isCurrentThread()) {
            throw new IllegalStateException("consume() is for the request relay thread");
        }
        requests.consume(message);
    }

    /**
     * Sends the client an event with no arguments ({@code wl_buffer.release}) or one int argument
     * ({@code wl_display.delete_id}), without garbage when called from outside the event relay. From the
     * request relay, such events are collected and leave together at the end of the batch being
     * relayed: one send to the client instead of one per event.
     */
    public void injectEvent(int objectId, MessageSpec spec) throws IOException {
        injectEvent(objectId, spec, 0, false);
    }

    public void injectEvent(int objectId, MessageSpec spec, int arg) throws IOException {
        injectEvent(objectId, spec, arg, true);
    }

    private void injectEvent(int objectId, MessageSpec spec, int arg, boolean hasArg) throws IOException {
        if (events.isCurrentThread()) {
            inject(Direction.EVENT, hasArg ? new Message(objectId, spec, arg) : new Message(objectId, spec));
            return;
        }
        if (events.traces()) {
            trace(Direction.EVENT, hasArg ? new Message(objectId, spec, arg) : new Message(objectId, spec));
        }
        if (requests.isCurrentThread()) {
            // Collected for the end of the batch, or for the event relay's next send (Relay#relayOnce).
            if (!putClientEvent(objectId, spec, arg, hasArg)) {
                flushClientEvents();
                putClientEvent(objectId, spec, arg, hasArg);
            }
            return;
        }
        synchronized (clientLock) {
            putEvent(eventScratch, objectId, spec, arg, hasArg);
            eventScratch.flip();
            try {
                client.send(eventScratch, noFds);
            } finally {
                eventScratch.clear();
            }
        }
    }

    /** Adds an event to {@link #clientEvents}; false when it is full. The lock is held for the few bytes only. */
    private boolean putClientEvent(int objectId, MessageSpec spec, int arg, boolean hasArg) {
        synchronized (clientEvents) {
            if (clientEvents.remaining() < 12) {
                return false;
            }
            putEvent(clientEvents, objectId, spec, arg, hasArg);
            return true;
        }
    }

    /** Encodes an event of no argument or one int-sized one. */
    private static void putEvent(ByteBuffer out, int objectId, MessageSpec spec, int arg, boolean hasArg) {
        out.putInt(objectId).putInt(dev.crossway.wire.Wire.sizeAndOpcode(hasArg ? 12 : 8, spec.opcode()));
        if (hasArg) {
            out.putInt(arg);
        }
    }

    /**
     * Sends the events the request relay collected ({@link #injectEvent}); called at the end of each batch
     * that the host will not answer at once. Locks in the order every sender to the client takes them:
     * the client's socket, then the collected events.
     */
    void flushClientEvents() throws IOException {
        synchronized (clientLock) {
            synchronized (clientEvents) {
                if (clientEvents.position() == 0) {
                    return;
                }
                clientEvents.flip();
                try {
                    client.send(clientEvents, noFds);
                } finally {
                    clientEvents.clear();
                }
            }
        }
    }

    /**
     * Sends a message that no peer sent: to the host ({@link Direction#REQUEST}) or to the client
     * ({@link Direction#EVENT}). Called from that direction's relay thread, it is queued in order with
     * the relayed messages; from elsewhere, it is sent at once (requests only where ids pass unchanged:
     * otherwise host ids must be allocated in sending order, on the request relay).
     */
    public void inject(Direction direction, Message message) throws IOException {
        Relay relay = direction == Direction.REQUEST ? requests : events;
        if (relay.isCurrentThread()) {
            relay.inject(message);
            return;
        }
        if (direction == Direction.REQUEST && hostIds != null) {
            throw new IllegalStateException("requests must be injected from the request relay thread when host ids are translated");
        }
        ByteBuffer buf = ByteBuffer.allocate(dev.crossway.wire.Wire.MAX_MESSAGE_SIZE).order(ByteOrder.nativeOrder());
        FdQueue fds = new FdQueue();
        try {
            MessageCodec.encode(message, buf, fds);
        } catch (WireException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        buf.flip();
        ByteBuffer direct = ByteBuffer.allocateDirect(buf.remaining()).order(ByteOrder.nativeOrder());
        direct.put(buf).flip();
        if (direction == Direction.REQUEST) {
            synchronized (hostLock) {
                host.send(direct, fds);
            }
        } else {
            synchronized (clientLock) {
                client.send(direct, fds);
            }
        }
    }

    /** Records what the registry policy did with one global, for the session summary. */
    public synchronized void globalOffered(String interfaceName, boolean shown) {
        globalsOffered++;
        if (shown) {
            globalsShown++;
        } else {
            hiddenGlobals.add(interfaceName);
        }
    }

    public synchronized SessionStats stats() {
        List<String> details = new ArrayList<>();
        for (Interceptor i : interceptors) {
            if (i instanceof SessionStats.Contributor c) {
                details.add(c.summary());
            }
        }
        host.counters().forEach((name, value) -> details.add(name + " " + value));
        return new SessionStats(requests.messages, requests.bytes, events.messages, events.bytes,
                requests.sends() + events.sends(), globalsOffered, globalsShown, List.copyOf(hiddenGlobals), details);
    }

    void trace(Direction direction, Message message) {
        trace(direction, message, "");
    }

    void trace(Direction direction, Message message, String note) {
        if (TRACE.isInfoEnabled()) {
            TRACE.info(String.format("[%10.3f] client %d %s %s%s", (System.nanoTime() - T0) / 1e6, id, direction.arrow(),
                    Trace.format(message, objects), note));
        }
    }

    /** A peer broke the protocol. A guest client is told why; then the session ends. */
    void fail(Direction direction, int objectId, int code, String message) {
        if (closed.get()) {
            return;
        }
        endedInError = true;
        if (direction.isRequest()) {
            if (PROTOCOL_ERRORS.allow(id)) {
                LOG.warn("client {}: protocol error, disconnecting it: {}", id, message);
            }
            sendError(objectId, code, message);
        } else {
            if (HOST_ERRORS.allow(id)) {
                LOG.warn("client {}: the host compositor sent a message Crossway cannot relay, disconnecting the client: {}", id, message);
            }
            sendError(1, ProtocolError.IMPLEMENTATION, "Crossway: the host compositor sent a message that cannot be relayed: " + message);
        }
        close();
    }

    private void sendError(int objectId, int code, String message) {
        Interface display = schema.require("wl_display");
        try {
            if (requests.isCurrentThread()) {
                flushClientEvents(); // what the client was told before the error comes first
            }
            Message error = new Message(1, display.message(false, "error"), objectId, code, message);
            inject(Direction.EVENT, error);
            if (events.isCurrentThread()) {
                events.flush(); // the session closes next: what is queued must leave now
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("client {}: could not deliver wl_display.error: {}", id, e.toString());
        }
    }

    /**
     * The watchdog gave up on the host ({@code why}): the host connection is closed, which ends the event
     * relay, and that relay tells the client why ({@link #peerClosed}) after everything it already had.
     */
    void hostUnresponsive(String why) {
        if (closed.get()) {
            return;
        }
        hostFailure = why;
        if (HOST_ERRORS.allow(id)) {
            LOG.warn("client {}: disconnecting it: {}", id, why);
        }
        host.close();
    }

    void peerClosed(Direction direction) {
        String failure = hostFailure;
        if (failure != null && !direction.isRequest() && !closed.get()) {
            endedInError = true;
            sendError(1, ProtocolError.IMPLEMENTATION, "Crossway: " + failure);
            close();
            return;
        }
        if (!closed.get()) {
            LOG.debug("client {}: {} closed the connection", id, direction.isRequest() ? "the client" : "the host compositor");
        }
        close();
    }

    void ioFailed(Direction direction, IOException e) {
        if (!closed.get() && CONNECTION_ERRORS.allow(id)) {
            LOG.info("client {}: connection ended ({}: {})", id, direction.isRequest() ? "client to host" : "host to client", e.getMessage());
        }
        close();
    }

    /**
     * A bug (or the JVM's limits) ended the relay. The client learns only an incident number, which the
     * log repeats with the details: exception text is for the log, never for a client.
     */
    void crashed(Direction direction, Throwable e) {
        endedInError = true;
        long incident = INCIDENTS.incrementAndGet();
        if (INTERNAL_ERRORS.allow(incident)) {
            LOG.error("client {}: internal error, incident {}, while relaying {}; disconnecting this client only", id, incident,
                    direction.isRequest() ? "requests" : "events", e);
        }
        sendError(1, ProtocolError.IMPLEMENTATION, "Crossway internal error (incident " + incident + "): this client was"
                + " disconnected; the daemon's log has the details");
        close();
    }

    /** Ends the session: closes both connections, which wakes and ends both relay threads. Idempotent. */
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (liveness != null) {
                HostWatchdog.unwatch(liveness);
            }
            client.close();
            host.close();
        }
    }

    void relayEnded() {
        if (running.decrementAndGet() == 0) {
            close();
            closeInterceptors();
            heldFds.close();
            listener.sessionClosed(this, stats());
        }
    }

    /**
     * Interceptors that hold resources (mappings, host memory) implement {@link AutoCloseable}; they are
     * closed once both relay threads have ended, so no message is in flight.
     */
    private void closeInterceptors() {
        for (Interceptor i : interceptors) {
            if (i instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.error("client {}: {} failed to close", id, i.getClass().getSimpleName(), e);
                }
            }
        }
    }
}
