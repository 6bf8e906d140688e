package dev.crossway.proxy;

import dev.crossway.protocol.Schema;
import java.util.List;

/**
 * What every session of a daemon shares: the schema, the interceptors (in chain order) and tracing.
 *
 * @param traceRequests log each relayed request, WAYLAND_DEBUG style
 * @param traceEvents   log each relayed event
 */
public record SessionOptions(Schema schema, List<InterceptorFactory> interceptors, boolean traceRequests, boolean traceEvents) {
    public SessionOptions {
        interceptors = List.copyOf(interceptors);
    }
}
