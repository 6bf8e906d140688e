package dev.crossway.proxy;

import dev.crossway.protocol.Schema;
import java.util.List;

/**
 * What every session of a daemon shares: the schema, the interceptors (in chain order), tracing, the
 * limits on what a client may make it hold (with the daemon's fd budget) and the host check.
 *
 * @param traceRequests log each relayed request, WAYLAND_DEBUG style
 * @param traceEvents   log each relayed event
 */
public record SessionOptions(Schema schema, List<InterceptorFactory> interceptors, boolean traceRequests, boolean traceEvents,
                             SessionLimits limits, HostCheck hostCheck) {
    public SessionOptions {
        interceptors = List.copyOf(interceptors);
    }

    /** Default limits (with no daemon fd budget) and no host check: for tests and tools. */
    public SessionOptions(Schema schema, List<InterceptorFactory> interceptors, boolean traceRequests, boolean traceEvents) {
        this(schema, interceptors, traceRequests, traceEvents, SessionLimits.defaults(), HostCheck.OFF);
    }
}
