package dev.crossway.app.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.app.systemd.SocketActivation.PassedFd;
import java.util.List;
import org.junit.jupiter.api.Test;

class SocketActivationTest {
    private static final long PID = 4242;

    private static List<PassedFd> passed(String... kv) {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return SocketActivation.passedFds(env, PID);
    }

    @Test
    void withoutListenFdsNothingWasPassed() {
        assertThat(passed()).isEmpty();
        assertThat(SocketActivation.waylandFd(passed())).isNull();
    }

    @Test
    void fdsForAnotherProcessAreNotOurs() {
        assertThat(passed("LISTEN_FDS", "1", "LISTEN_PID", "17")).isEmpty();
    }

    @Test
    void theFdNamedWaylandIsTheOne() {
        List<PassedFd> fds = passed("LISTEN_FDS", "2", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "other:wayland");
        assertThat(fds).containsExactly(new PassedFd(3, "other"), new PassedFd(4, "wayland"));
        assertThat(SocketActivation.waylandFd(fds)).isEqualTo(new PassedFd(4, "wayland"));
    }

    @Test
    void aSingleFdWithAnotherNameIsTakenAsTheWaylandSocket() {
        assertThat(SocketActivation.waylandFd(passed("LISTEN_FDS", "1", "LISTEN_FDNAMES", "crossway.socket")))
                .isEqualTo(new PassedFd(3, "crossway.socket"));
        assertThat(SocketActivation.waylandFd(passed("LISTEN_FDS", "1"))).isEqualTo(new PassedFd(3, ""));
    }

    @Test
    void anX11SocketAloneIsRefusedUntilXwaylandIsSupported() {
        assertThatThrownBy(() -> SocketActivation.waylandFd(passed("LISTEN_FDS", "1", "LISTEN_FDNAMES", "x11")))
                .hasMessageContaining("X11 socket").hasMessageContaining("does not run Xwayland yet");
    }

    @Test
    void besideTheWaylandSocketAnX11SocketIsAWarning() {
        List<PassedFd> fds = passed("LISTEN_FDS", "2", "LISTEN_FDNAMES", "wayland:x11");
        assertThat(SocketActivation.waylandFd(fds)).isEqualTo(new PassedFd(3, "wayland"));
        assertThat(SocketActivation.unsupported(fds)).singleElement().asString()
                .contains("fd 4 (\"x11\")").contains("does not run Xwayland yet");
    }

    @Test
    void severalUnnamedFdsAreRefusedWithTheUnitSettingThatFixesIt() {
        assertThatThrownBy(() -> SocketActivation.waylandFd(passed("LISTEN_FDS", "2", "LISTEN_FDNAMES", "a:b")))
                .hasMessageContaining("none is named \"wayland\"").hasMessageContaining("FileDescriptorName=wayland");
    }

    @Test
    void malformedVariablesAreNamed() {
        assertThatThrownBy(() -> passed("LISTEN_FDS", "two")).hasMessageContaining("LISTEN_FDS='two'");
        assertThatThrownBy(() -> passed("LISTEN_FDS", "2", "LISTEN_FDNAMES", "wayland")).hasMessageContaining("LISTEN_FDNAMES='wayland'");
    }
}
