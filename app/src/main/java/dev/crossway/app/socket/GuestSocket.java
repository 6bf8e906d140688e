package dev.crossway.app.socket;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.UnixServerSocket;
import dev.crossway.linux.UnixSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket guest apps connect to, with the files that come with it: the socket file and its
 * libwayland-style {@code .lock}. Either Crossway binds it ({@link #bind}) and removes both when closed,
 * or systemd passed it ({@link #adopt}) and keeps the file.
 *
 * <p>Binding refuses what it must not touch: a socket another server answers on, a lock another process
 * holds, and anything at the socket path that is not a stale socket (a file, a directory, a link). Only a
 * stale socket, one nobody listens on while its lock is free, is replaced.
 */
public final class GuestSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GuestSocket.class);
    /** The value of {@code socket} that picks a name; the candidates are those libwayland's auto socket tries. */
    public static final String AUTO = "auto";
    static final int AUTO_LAST = 32;

    private final UnixServerSocket server;
    private final String displayName;
    private final boolean ownsSocketFile;
    private int lockFd;
    private boolean closed;

    private GuestSocket(UnixServerSocket server, String displayName, boolean ownsSocketFile, int lockFd) {
        this.server = server;
        this.displayName = displayName;
        this.ownsSocketFile = ownsSocketFile;
        this.lockFd = lockFd;
    }

    /**
     * Binds the socket the settings ask for.
     *
     * @param socket     a name under {@code runtimeDir}, an absolute path, or {@value #AUTO}
     * @param source     what the user typed to set it ({@code --socket}, ...), for messages
     * @param runtimeDir {@code $XDG_RUNTIME_DIR}, or null
     * @param uid        this process's effective uid, which must own the runtime directory
     * @throws IllegalArgumentException when the setting or the runtime directory is unusable
     * @throws IOException              when the socket is taken or cannot be bound, naming the path and the fix
     */
    public static GuestSocket bind(String socket, String source, String runtimeDir, int uid) throws IOException {
        if (socket.isEmpty()) {
            throw new IllegalArgumentException(source + " is empty: give a socket name (e.g. wayland-1), an absolute path, or "
                    + AUTO);
        }
        if (socket.startsWith("/")) {
            Path path = Path.of(socket);
            Path parent = path.getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new IllegalArgumentException(source + " " + socket + ": the directory " + parent
                        + " does not exist; create it (mode 0700) or choose another path");
            }
            return take(path, socket, false);
        }
        if (socket.contains("/")) {
            throw new IllegalArgumentException(source + " '" + socket
                    + "' must be a plain name (under $XDG_RUNTIME_DIR), an absolute path, or " + AUTO);
        }
        Path dir = RuntimeDir.check(runtimeDir, uid, "the socket name '" + socket + "' (" + source + ")");
        if (!socket.equals(AUTO)) {
            return take(dir.resolve(socket), socket, false);
        }
        List<String> taken = new ArrayList<>();
        for (int n = 0; n <= AUTO_LAST; n++) {
            String name = "wayland-" + n;
            GuestSocket s = take(dir.resolve(name), name, true);
            if (s != null) {
                if (!taken.isEmpty()) {
                    LOG.info("{} {} served by another compositor or Crossway: serving {} instead; guest apps need WAYLAND_DISPLAY={}",
                            String.join(", ", taken), taken.size() == 1 ? "is" : "are", name, name);
                }
                return s;
            }
            taken.add(name);
        }
        throw new IOException("every socket from wayland-0 to wayland-" + AUTO_LAST + " in " + dir
                + " is taken by another compositor or Crossway: stop one, or give a socket path with --socket");
    }

    /**
     * Takes {@code path}: its lock, then the path itself.
     *
     * @param skipTaken for the automatic choice: return null instead of failing when another server has it
     */
    private static GuestSocket take(Path path, String displayName, boolean skipTaken) throws IOException {
        Path lock = lockOf(path);
        int lockFd = Fds.openLock(lock);
        boolean locked = false;
        boolean done = false;
        try {
            if (!Fds.tryLock(lockFd)) {
                if (skipTaken) {
                    return null;
                }
                throw new IOException("another compositor or Crossway already serves " + path + " (its lock " + lock
                        + " is held); stop it or choose another socket (--socket)");
            }
            locked = true;
            if (!clearStale(path, skipTaken)) {
                return null;
            }
            GuestSocket s = new GuestSocket(UnixServerSocket.bind(path), displayName, true, lockFd);
            done = true;
            return s;
        } finally {
            if (!done) {
                if (locked) {
                    Files.deleteIfExists(lock);
                }
                Fds.close(lockFd);
            }
        }
    }

    /**
     * Makes room at {@code path}, under its lock: nothing there is fine; a stale socket is removed; a live
     * one means the path is taken (false when skipping, else an error); anything else is refused.
     */
    private static boolean clearStale(Path path, boolean skipTaken) throws IOException {
        String kind = kind(path);
        if (kind == null) {
            return true;
        }
        if (!kind.equals("socket")) {
            throw new IOException(path + " exists and is a " + kind + ", not a socket: Crossway replaces only a stale socket."
                    + " Remove it if nothing needs it, or choose another socket (--socket)");
        }
        if (answers(path)) {
            if (skipTaken) {
                return false;
            }
            throw new IOException("something already answers on " + path + "; stop it or choose another socket (--socket)");
        }
        LOG.info("removing stale socket {}", path);
        Files.delete(path);
        return true;
    }

    /** What is at {@code path} without following links: null when nothing. */
    private static String kind(Path path) throws IOException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        return switch (mode & 0170000) {
            case 0140000 -> "socket";
            case 0120000 -> "symbolic link";
            case 0100000 -> "regular file";
            case 0040000 -> "directory";
            default -> "special file";
        };
    }

    private static boolean answers(Path path) {
        try (UnixSocket probe = UnixSocket.connect(path)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Serves the socket systemd passed. Its file stays systemd's; its lock is taken when free, so a
     * compositor started later in the session does not mistake the socket for a stale one.
     *
     * @param runtimeDir {@code $XDG_RUNTIME_DIR}, or null: a socket there is named by its file name
     */
    public static GuestSocket adopt(UnixServerSocket server, String runtimeDir) {
        Path path = server.path();
        boolean underRuntimeDir = runtimeDir != null && !runtimeDir.isEmpty() && Path.of(runtimeDir).normalize().equals(path.getParent());
        int lockFd = -1;
        Path lock = lockOf(path);
        try {
            lockFd = Fds.openLock(lock);
            if (!Fds.tryLock(lockFd)) {
                LOG.warn("the lock {} of the socket systemd passed is held by another process", lock);
                Fds.close(lockFd);
                lockFd = -1;
            }
        } catch (LinuxException e) {
            LOG.warn("serving the socket systemd passed without its lock: {}", e.getMessage());
        }
        return new GuestSocket(server, underRuntimeDir ? path.getFileName().toString() : path.toString(), false, lockFd);
    }

    private static Path lockOf(Path socket) {
        return Path.of(socket + ".lock");
    }

    public UnixServerSocket server() {
        return server;
    }

    public Path path() {
        return server.path();
    }

    /** What clients put in WAYLAND_DISPLAY: the name under $XDG_RUNTIME_DIR, or the absolute path. */
    public String displayName() {
        return displayName;
    }

    /** Stops listening; removes the socket file (if Crossway made it) and the lock. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
        if (ownsSocketFile) {
            deleteQuietly(path());
        }
        if (lockFd >= 0) {
            deleteQuietly(lockOf(path()));
            Fds.close(lockFd);
            lockFd = -1;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", file, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "GuestSocket[" + path() + (ownsSocketFile ? "" : ", from systemd") + "]";
    }
}
