package dev.crossway.proxy;

import java.time.Duration;

/**
 * How Crossway finds out that a host compositor is gone when the transport never says so (a VM's
 * cross-domain device does not pass the compositor's hang-up on): with a {@code wl_display.sync} of its
 * own, sent when a client connects and again whenever the host has been silent for {@code idle}. No
 * answer within the timeout ends the client with a {@code wl_display.error} saying so. A busy session
 * is never probed: any message from the host counts as an answer.
 *
 * <p>Only sessions whose object ids Crossway translates can be probed (it owns objects on the host
 * connection there): the VM transports and loopback with separate memory. Loopback with shared memory
 * needs no probe: its socket reports the compositor's hang-up.
 *
 * @param connectTimeout how long a new client's host connection may take to answer the first probe
 *                       ({@code crossway.host-check.connect-timeout}); chosen so a host that is down
 *                       gives new clients an error within a second
 * @param idle           how long the host may be silent before Crossway probes it ({@code crossway.host-check.idle})
 * @param timeout        how long a later probe may go unanswered ({@code crossway.host-check.timeout}); far above
 *                       any round trip of a live host, even a VM's without acceleration
 */
public record HostCheck(Duration connectTimeout, Duration idle, Duration timeout) {
    /** No probes. */
    public static final HostCheck OFF = new HostCheck(Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public HostCheck {
        if (connectTimeout.isNegative() || idle.isNegative() || timeout.isNegative()) {
            throw new IllegalArgumentException("host check durations cannot be negative: " + connectTimeout + ", " + idle + ", " + timeout);
        }
        if (!timeout.isZero() && (connectTimeout.isZero() || idle.isZero())) {
            throw new IllegalArgumentException("a host check needs a connect timeout and an idle time; set timeout to 0 to turn it off");
        }
    }

    /** 800 ms at connect, then a probe after 5 s of silence, answered within 10 s. */
    public static HostCheck defaults() {
        return new HostCheck(Duration.ofMillis(800), Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    public boolean isOn() {
        return !timeout.isZero();
    }
}
