package dev.crossway.app.socket;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code $XDG_RUNTIME_DIR}, checked before a socket goes into it. The XDG base directory specification
 * asks for a directory owned by the user with mode 0700; Crossway refuses one others could write to or
 * that belongs to someone else, since whoever can write there can replace the socket guest apps trust.
 * A missing one is not created: making it is the login manager's job, and a directory made here would
 * not be cleaned up at logout.
 */
final class RuntimeDir {
    private RuntimeDir() {
    }

    /**
     * @param value  {@code $XDG_RUNTIME_DIR}, or null
     * @param uid    the effective uid that must own it
     * @param needer what needs it, for messages ({@code the socket name 'wayland-0' (--socket)})
     * @return the directory
     * @throws IllegalArgumentException naming the problem and the fix
     */
    static Path check(String value, int uid, String needer) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("XDG_RUNTIME_DIR is not set, so " + needer
                    + " cannot be placed; set XDG_RUNTIME_DIR (a directory only you can write, e.g. /run/user/" + uid
                    + ") or give --socket an absolute path");
        }
        Path dir = Path.of(value);
        if (!dir.isAbsolute()) {
            throw new IllegalArgumentException("XDG_RUNTIME_DIR='" + value + "' is not an absolute path; the XDG specification"
                    + " requires one (e.g. /run/user/" + uid + ")");
        }
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(dir, "unix:mode,uid,isDirectory");
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("XDG_RUNTIME_DIR=" + value + " does not exist. The login manager makes it"
                    + " (pam_systemd); without one, create it yourself: install -d -m 0700 " + value);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot look at XDG_RUNTIME_DIR=" + value + ": " + e.getMessage());
        }
        if (!(Boolean) attributes.get("isDirectory")) {
            throw new IllegalArgumentException("XDG_RUNTIME_DIR=" + value + " is not a directory");
        }
        int owner = (Integer) attributes.get("uid");
        int mode = (Integer) attributes.get("mode") & 07777;
        if (owner != uid) {
            throw new IllegalArgumentException("XDG_RUNTIME_DIR=" + value + " belongs to uid " + owner + ", not to you (uid " + uid
                    + "): set XDG_RUNTIME_DIR to your own runtime directory, e.g. /run/user/" + uid);
        }
        if ((mode & 0002) != 0) {
            throw new IllegalArgumentException("XDG_RUNTIME_DIR=" + value + " is writable by everyone (mode 0"
                    + Integer.toOctalString(mode) + "), so anyone could replace Crossway's socket: use a directory only you can"
                    + " write (chmod 0700 " + value + ", or /run/user/" + uid + ")");
        }
        return dir;
    }
}
