package dev.crossway.app;

import dev.crossway.app.socket.GuestSocket;
import dev.crossway.linux.UnixSocket;
import dev.crossway.proxy.FdBudget;
import dev.crossway.proxy.Kernel;
import dev.crossway.proxy.LogLimiter;
import dev.crossway.proxy.Session;
import dev.crossway.proxy.SessionListener;
import dev.crossway.proxy.SessionOptions;
import dev.crossway.proxy.SessionStats;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.Transport;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts guest clients on the {@link GuestSocket} and gives each a {@link Session} with its own host
 * connection. Owns the socket once started, and closes it (with its files) when closed.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /**
     * Fds a session holds whatever its client does (its socket, the host connection, a transport's wake
     * pipe and device files), counted in the daemon's fd budget when it starts.
     */
    public static final int FDS_PER_SESSION = 8;
    /** Fds the daemon keeps for itself out of its open-file limit: jars, logs, sockets, devices. */
    public static final int RESERVED_FDS = 256;

    private final Transport transport;
    private final SessionOptions options;
    private final Kernel kernel;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextClient = new AtomicInteger(1);
    private final IdleCollector idle = new IdleCollector(sessions::size);
    private final SessionListener listener = new SessionListener() {
        @Override
        public void sessionClosed(Session session, SessionStats stats) {
            sessions.remove(session);
            options.limits().daemonFds().give(FDS_PER_SESSION);
            if (session.endedInError()) {
                LOG.debug("client {} closed: {}", session.id(), stats.summary()); // its error was logged, within the log's limits
            } else {
                LOG.info("client {} closed: {}", session.id(), stats.summary());
            }
            idle.sessionClosed();
        }
    };
    private static final LogLimiter REFUSALS = new LogLimiter(LOG, "refused clients", "clients", 10, Duration.ofSeconds(10));
    private GuestSocket socket;
    private Thread acceptThread;
    private volatile boolean closing;

    @Inject
    Daemon(Transport transport, SessionOptions options, Kernel kernel) {
        this.transport = transport;
        this.options = options;
        this.kernel = kernel;
    }

    /** Starts accepting clients on {@code socket}, which the daemon owns from now on. */
    public void start(GuestSocket socket) {
        this.socket = socket;
        acceptThread = new Thread(this::acceptLoop, "crossway-accept");
        acceptThread.setDaemon(true);
        acceptThread.start();
        LOG.info("listening on {} (transport: {})", socket.path(), transport.describe());
    }

    /** What clients put in WAYLAND_DISPLAY to reach this daemon. */
    public String displayName() {
        return socket.displayName();
    }

    /** The transport in words, for status lines. */
    public String transportDescription() {
        return transport.describe();
    }

    /** Sessions currently open. */
    public int sessionCount() {
        return sessions.size();
    }

    private void acceptLoop() {
        while (!closing) {
            UnixSocket client;
            try {
                client = socket.server().accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closing) {
                    return;
                }
                // EMFILE and friends: log, back off, keep serving the clients we have.
                LOG.warn("accepting a client failed: {}", e.getMessage());
                sleepQuietly(100);
                continue;
            }
            int id = nextClient.getAndIncrement();
            FdBudget fds = options.limits().daemonFds();
            if (!fds.tryTake(FDS_PER_SESSION)) {
                if (REFUSALS.allow(id)) {
                    LOG.warn("client {}: refused, no fds left for another client ({} of {} in use)", id, fds.used(), fds.total());
                }
                ErrorReply.send(client, options.schema(), "Crossway has no fds left for another client: its " + sessions.size()
                        + " clients hold " + fds.used() + " of the " + fds.total() + " fds its open-file limit leaves them; raise that"
                        + " limit (ulimit -n, LimitNOFILE=) or lower crossway.limits.fds-per-client");
                client.close();
                continue;
            }
            HostConnection host;
            try {
                host = transport.connect();
            } catch (IOException | RuntimeException e) {
                fds.give(FDS_PER_SESSION);
                if (REFUSALS.allow(id)) {
                    LOG.warn("client {}: cannot reach the host compositor, closing the client: {}", id, e.getMessage());
                }
                ErrorReply.send(client, options.schema(), "Crossway cannot reach the host compositor: " + e.getMessage());
                client.close();
                continue;
            }
            Session session = new Session(id, client, host, options, listener, kernel);
            sessions.add(session);
            LOG.debug("client {} connected", id);
            session.start();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops accepting, closes every session, the socket (with its files) and the transport. Idempotent. */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (socket != null) {
            socket.server().close();
        }
        for (Session s : sessions) {
            s.close();
        }
        // Let the relays end, so each session frees its host memory and logs its summary before exit.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!sessions.isEmpty() && System.nanoTime() < deadline) {
            sleepQuietly(10);
        }
        if (socket != null) {
            socket.close();
        }
        transport.close();
        idle.close();
    }
}
