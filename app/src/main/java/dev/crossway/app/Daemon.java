package dev.crossway.app;

import dev.crossway.app.socket.GuestSocket;
import dev.crossway.linux.UnixSocket;
import dev.crossway.proxy.Kernel;
import dev.crossway.proxy.Session;
import dev.crossway.proxy.SessionListener;
import dev.crossway.proxy.SessionOptions;
import dev.crossway.proxy.SessionStats;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.Transport;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
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

    private final Transport transport;
    private final SessionOptions options;
    private final Kernel kernel;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextClient = new AtomicInteger(1);
    private final SessionListener listener = new SessionListener() {
        @Override
        public void sessionClosed(Session session, SessionStats stats) {
            sessions.remove(session);
            LOG.info("client {} closed: {}", session.id(), stats.summary());
        }
    };
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
            HostConnection host;
            try {
                host = transport.connect();
            } catch (IOException | RuntimeException e) {
                LOG.warn("client {}: cannot reach the host compositor, closing the client: {}", id, e.getMessage());
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
    }
}
