package dev.crossway.transport.loopback;

import dev.crossway.linux.LinuxException;
import dev.crossway.linux.UnixSocket;
import dev.crossway.linux.sys.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Can the loopback transport run here: is there a compositor answering at the socket? */
final class Loopback {
    private Loopback() {
    }

    /**
     * Probes {@code socket} by connecting and closing at once (a compositor sees a client come and go).
     *
     * @return null when a compositor answers; otherwise what is wrong and how to fix it
     */
    static String unavailabilityCause(Path socket) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            Path dir = socket.getParent();
            String where = dir != null && !Files.isDirectory(dir) ? " (directory " + dir + " does not exist)" : "";
            return "no compositor socket at " + socket + where + ": start a compositor or set --host-display / WAYLAND_DISPLAY";
        } catch (IOException e) {
            return "cannot look at " + socket + ": " + e + "; check the permissions of its directory";
        }
        if (!attributes.isOther() && !attributes.isSymbolicLink()) {
            return socket + " is not a socket but a " + (attributes.isDirectory() ? "directory" : "regular file")
                    + ": point --host-display / WAYLAND_DISPLAY at the compositor's socket";
        }
        try {
            UnixSocket.connect(socket).close();
            return null;
        } catch (LinuxException e) {
            switch (e.errno()) {
                case LibC.ECONNREFUSED:
                    return "nothing listens on " + socket + " (stale socket? a compositor that exited can leave its socket file"
                            + " behind): start the compositor, or remove the file";
                case LibC.EACCES:
                case LibC.EPERM:
                    return "permission denied connecting to " + socket
                            + ": run as the compositor's user, or fix the permissions of the socket and its directory";
                case LibC.ENOTSOCK:
                    return socket + " is not a socket: point --host-display / WAYLAND_DISPLAY at the compositor's socket";
                default:
                    return e.getMessage();
            }
        }
    }
}
