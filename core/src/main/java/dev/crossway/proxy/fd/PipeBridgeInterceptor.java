package dev.crossway.proxy.fd;

import dev.crossway.protocol.ArgType;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.proxy.Interceptor;
import dev.crossway.proxy.ProtocolError;
import dev.crossway.proxy.Session;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.PipeDirection;
import dev.crossway.wire.Message;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;

/**
 * Bridges the pipe ends of clipboard, primary-selection and drag-and-drop messages (every pipe in the
 * {@link FdTable}) on transports that cannot pass fds as-is: a request's pipe end goes through
 * {@link HostConnection#bridgePipe}, an event's through {@link HostConnection#bridgeHostPipe}, each told
 * which way the data flows.
 */
public final class PipeBridgeInterceptor implements Interceptor {
    private final Session session;

    public PipeBridgeInterceptor(Session session) {
        this.session = session;
    }

    @Override
    public List<Hook> hooks() {
        return FdTable.hooks(EnumSet.of(FdKind.PIPE_READ_END, FdKind.PIPE_WRITE_END));
    }

    @Override
    public void intercept(Chain chain) throws ProtocolError {
        Message m = chain.message();
        MessageSpec spec = m.spec();
        List<FdKind> kinds = FdTable.kinds(spec);
        int fdOrdinal = 0;
        for (int i = 0; i < m.argCount(); i++) {
            if (spec.args().get(i).type() != ArgType.FD) {
                continue;
            }
            FdKind kind = kinds.get(fdOrdinal++);
            if (kind.isPipe()) {
                m.set(i, bridge(m, m.intArg(i), FdTranslation.direction(kind, spec.isRequest())));
            }
        }
        chain.proceed(m);
    }

    /** The bridged fd; the message's own fd is closed (request) or handed to the transport (event). */
    private int bridge(Message m, int fd, PipeDirection direction) throws ProtocolError {
        HostConnection host = session.host();
        try {
            if (m.spec().isRequest()) {
                int bridged = host.bridgePipe(fd, direction);
                session.kernel().close(fd);
                return bridged;
            }
            return host.bridgeHostPipe(fd, direction);
        } catch (IOException e) {
            throw new ProtocolError(m.spec().isRequest() ? m.objectId() : 1, ProtocolError.IMPLEMENTATION,
                    "Crossway could not bridge the pipe of " + m.spec().qualifiedName() + " (" + direction.name().toLowerCase(java.util.Locale.ROOT)
                            .replace('_', ' ') + "): " + e.getMessage());
        }
    }
}
