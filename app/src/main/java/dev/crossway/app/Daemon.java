package dev.crossway.app;

import dev.crossway.linux.Fds;
import dev.crossway.linux.UnixServerSocket;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the guest-facing socket and gives each client a {@link Session} with its own host
 * connection. Owns the socket file and its libwayland-style {@code .lock}: it refuses a socket someone
 * serves, replaces a stale one, and removes both when closed.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final SocketPath socketPath;
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
    private UnixServerSocket server;
    private int lockFd = -1;
    private Thread acceptThread;
    private volatile boolean closing;

    @Inject
    Daemon(SocketPath socketPath, Transport transport, SessionOptions options, Kernel kernel) {
        this.socketPath = socketPath;
        this.transport = transport;
        this.options = options;
        this.kernel = kernel;
    }

    /** Takes the socket and starts accepting clients. */
    public Path start() throws IOException {
        Path path = socketPath.path();
        Path lock = Path.of(path + ".lock");
        Files.createDirectories(path.getParent());
        lockFd = Fds.openLock(lock);
        if (!Fds.tryLock(lockFd)) {
            Fds.close(lockFd);
            lockFd = -1;
            throw new IOException("another compositor or Crossway already serves " + path + " (its lock " + lock
                    + " is held); stop it or choose another --socket");
        }
        if (Files.exists(path)) {
            if (answers(path)) {
                releaseLock(lock);
                throw new IOException("something already answers on " + path + "; stop it or choose another --socket");
            }
            LOG.info("removing stale socket {}", path);
            Files.delete(path);
        }
        server = UnixServerSocket.bind(path);
        acceptThread = new Thread(this::acceptLoop, "crossway-accept");
        acceptThread.setDaemon(true);
        acceptThread.start();
        LOG.info("listening on {} (transport: {})", path, transport.describe());
        return path;
    }

    private static boolean answers(Path path) {
        try (UnixSocket probe = UnixSocket.connect(path)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** What clients put in WAYLAND_DISPLAY to reach this daemon. */
    public String displayName() {
        return socketPath.displayName();
    }

    /** Sessions currently open. */
    public int sessionCount() {
        return sessions.size();
    }

    private void acceptLoop() {
        while (!closing) {
            UnixSocket client;
            try {
                client = server.accept();
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

    /** Stops accepting, closes every session, removes the socket and the lock. Idempotent. */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (server != null) {
            server.close();
        }
        for (Session s : sessions) {
            s.close();
        }
        // Let the relays end, so each session frees its host memory and logs its summary before exit.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!sessions.isEmpty() && System.nanoTime() < deadline) {
            sleepQuietly(10);
        }
        Path path = socketPath.path();
        if (server != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.warn("could not remove {}: {}", path, e.getMessage());
            }
        }
        releaseLock(Path.of(path + ".lock"));
        transport.close();
    }

    private void releaseLock(Path lock) {
        if (lockFd >= 0) {
            try {
                Files.deleteIfExists(lock);
            } catch (IOException e) {
                LOG.warn("could not remove {}: {}", lock, e.getMessage());
            }
            Fds.close(lockFd);
            lockFd = -1;
        }
    }

    /** Where the guest-facing socket lives. */
    public record SocketPath(Path path, String displayName) {
        /**
         * @param socket a name under $XDG_RUNTIME_DIR or an absolute path
         */
        public static SocketPath resolve(String socket, String xdgRuntimeDir) {
            if (socket.startsWith("/")) {
                return new SocketPath(Path.of(socket), socket);
            }
            if (socket.contains("/")) {
                throw new IllegalArgumentException("--socket '" + socket + "' must be a plain name (under $XDG_RUNTIME_DIR) or an absolute path");
            }
            if (xdgRuntimeDir == null || xdgRuntimeDir.isEmpty()) {
                throw new IllegalArgumentException("XDG_RUNTIME_DIR is not set, so the socket name '" + socket
                        + "' cannot be placed; set XDG_RUNTIME_DIR or give --socket an absolute path");
            }
            return new SocketPath(Path.of(xdgRuntimeDir, socket), socket);
        }
    }

}
