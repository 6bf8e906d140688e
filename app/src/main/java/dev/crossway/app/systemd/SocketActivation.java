package dev.crossway.app.systemd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The sockets systemd passes to a socket-activated service ({@code sd_listen_fds(3)}): {@code LISTEN_FDS}
 * fds from 3 on, meant for the process {@code LISTEN_PID}, named by {@code LISTEN_FDNAMES}
 * (colon-separated, from the socket unit's {@code FileDescriptorName=}).
 *
 * <p>Names, as wayland-proxy-virtwl uses them: {@value #WAYLAND} is the socket Wayland clients connect
 * to; {@value #X11} is reserved for an X11 display, which Crossway does not serve yet (see
 * {@link #unsupported}). A single fd with another name (systemd's default is the unit's name) is taken
 * as the Wayland socket.
 */
public final class SocketActivation {
    /** The first fd systemd passes ({@code SD_LISTEN_FDS_START}). */
    public static final int SD_LISTEN_FDS_START = 3;
    public static final String WAYLAND = "wayland";
    public static final String X11 = "x11";

    private SocketActivation() {
    }

    /** One passed fd and its name (empty when systemd gave none). */
    public record PassedFd(int fd, String name) {
        /** For messages: {@code fd 3 ("wayland") from systemd (LISTEN_FDS)}. */
        public String describe() {
            return "fd " + fd + (name.isEmpty() ? "" : " (\"" + name + "\")") + " from systemd (LISTEN_FDS)";
        }
    }

    /**
     * The fds systemd passed to this process; empty when not socket-activated, or when {@code LISTEN_PID}
     * names another process (then the variables were inherited and are not for us).
     *
     * @throws IllegalArgumentException when the variables are malformed, naming the variable and value
     */
    public static List<PassedFd> passedFds(Map<String, String> env, long pid) {
        String fds = env.get("LISTEN_FDS");
        if (fds == null || fds.isEmpty()) {
            return List.of();
        }
        String listenPid = env.get("LISTEN_PID");
        if (listenPid != null && !listenPid.isEmpty() && !listenPid.equals(Long.toString(pid))) {
            return List.of();
        }
        int count;
        try {
            count = Integer.parseInt(fds);
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 0 || count > 1024) {
            throw new IllegalArgumentException("LISTEN_FDS='" + fds + "' is not a number of fds (from systemd's socket activation)");
        }
        String names = env.getOrDefault("LISTEN_FDNAMES", "");
        List<String> split = names.isEmpty() ? List.of() : Arrays.asList(names.split(":", -1));
        if (!split.isEmpty() && split.size() != count) {
            throw new IllegalArgumentException("LISTEN_FDNAMES='" + names + "' names " + split.size() + " fds but LISTEN_FDS is " + count);
        }
        List<PassedFd> passed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            passed.add(new PassedFd(SD_LISTEN_FDS_START + i, split.isEmpty() ? "" : split.get(i)));
        }
        return passed;
    }

    /**
     * The fd to serve Wayland clients on: the one named {@value #WAYLAND}, or a single fd with another
     * name; none when nothing was passed.
     *
     * @throws IllegalArgumentException when only an {@value #X11} socket was passed (not supported yet), or
     *                                  fds Crossway cannot tell apart, with the unit setting that fixes it
     */
    public static PassedFd waylandFd(List<PassedFd> passed) {
        PassedFd wayland = null;
        for (PassedFd p : passed) {
            if (p.name().equals(WAYLAND)) {
                wayland = p;
            }
        }
        if (wayland != null || passed.isEmpty()) {
            return wayland;
        }
        if (passed.size() == 1 && !passed.get(0).name().equals(X11)) {
            return passed.get(0);
        }
        if (passed.size() == 1) {
            throw new IllegalArgumentException(unsupportedMessage(passed.get(0)) + ", or give it FileDescriptorName=wayland if it is"
                    + " meant for Wayland clients");
        }
        List<String> described = new ArrayList<>();
        passed.forEach(p -> described.add(p.describe()));
        throw new IllegalArgumentException("systemd passed " + passed.size() + " sockets and none is named \"" + WAYLAND + "\" ("
                + String.join(", ", described) + "): set FileDescriptorName=wayland on the one for Wayland clients");
    }

    /**
     * What was passed beside the Wayland socket that Crossway does not serve (an {@value #X11} socket, for
     * now), one message each: its clients would wait unanswered, so the daemon warns about it.
     */
    public static List<String> unsupported(List<PassedFd> passed) {
        List<String> messages = new ArrayList<>();
        for (PassedFd p : passed) {
            if (p.name().equals(X11)) {
                messages.add(unsupportedMessage(p));
            }
        }
        return messages;
    }

    private static String unsupportedMessage(PassedFd x11) {
        return "systemd passed an X11 socket (" + x11.describe() + "), but Crossway does not run Xwayland yet:"
                + " remove the X11 socket from the socket unit";
    }
}
