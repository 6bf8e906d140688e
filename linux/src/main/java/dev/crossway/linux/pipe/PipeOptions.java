package dev.crossway.linux.pipe;

import dev.crossway.spi.TransportOptions;

/** The options of a transport's pipe bridges. */
public final class PipeOptions {
    /** Milliseconds after which a bridged pipe (either direction) that moved no data is ended; 0 (the default) means never. */
    public static final String PIPE_IDLE_TIMEOUT = "pipe-idle-timeout";

    private PipeOptions() {
    }

    /** {@value #PIPE_IDLE_TIMEOUT}. @throws IllegalArgumentException naming the option, the transport and the bad value */
    public static long idleTimeoutMillis(TransportOptions options, String transport) {
        String idle = options.get(PIPE_IDLE_TIMEOUT);
        if (idle == null || idle.isBlank()) {
            return 0;
        }
        long millis;
        try {
            millis = Long.parseLong(idle.trim());
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 0) {
            throw new IllegalArgumentException("unknown value '" + idle.trim() + "' for " + transport + " option " + PIPE_IDLE_TIMEOUT
                    + ": milliseconds, 0 or more (0 = no timeout)");
        }
        return millis;
    }
}
