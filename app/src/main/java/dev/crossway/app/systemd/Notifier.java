package dev.crossway.app.systemd;

import dev.crossway.linux.LinuxException;
import dev.crossway.linux.UnixDatagramSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the service manager about the daemon's state ({@code sd_notify(3)}): a datagram of
 * {@code KEY=VALUE} lines to the Unix socket named by {@code NOTIFY_SOCKET} (a path, or {@code @name} for
 * an abstract address). Without {@code NOTIFY_SOCKET} every call does nothing. A failed send is logged,
 * never fatal: the daemon serves clients whether or not its manager hears of it.
 */
public final class Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    private final String socket;

    private Notifier(String socket) {
        this.socket = socket;
    }

    public static Notifier fromEnvironment(Map<String, String> env) {
        String socket = env.get("NOTIFY_SOCKET");
        return new Notifier(socket == null || socket.isEmpty() ? null : socket);
    }

    public boolean isActive() {
        return socket != null;
    }

    /** {@code READY=1} and a {@code STATUS=} line: the service is up and serving. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + oneLine(status));
    }

    /** {@code STOPPING=1} and a {@code STATUS=} line: the service is shutting down. */
    public void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + oneLine(status));
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ');
    }

    private void send(String message) {
        if (socket == null) {
            return;
        }
        try {
            UnixDatagramSocket.send(socket, message.getBytes(StandardCharsets.UTF_8));
            LOG.debug("told systemd (NOTIFY_SOCKET={}): {}", socket, message.replace('\n', ' '));
        } catch (LinuxException e) {
            LOG.warn("could not notify systemd through NOTIFY_SOCKET={}: {}", socket, e.getMessage());
        }
    }
}
