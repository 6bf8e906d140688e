package dev.crossway.proxy.fd;

import dev.crossway.protocol.MessageSpec;
import dev.crossway.proxy.InterceptorFactory;
import dev.crossway.proxy.shm.ShmInterceptor;
import dev.crossway.proxy.shm.ShmLimits;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.PipeDirection;
import java.util.ArrayList;
import java.util.List;

/**
 * How each fd reaches the other side on one transport: the one place that decides, from the
 * {@link FdTable} and the transport's {@link Capabilities}. The registry policy asks it which globals
 * can work ({@link #carries}); the interceptors it names carry out the copies and bridges, calling the
 * transport with the kind they know ({@code allocate} for shm pools, {@code bridgePipe} for pipe ends),
 * so a transport never has to guess what an fd is.
 */
public final class FdTranslation {

    /** What happens to one fd on its way. */
    public enum Route {
        /** Crosses unchanged: guest and host share the kernel. */
        AS_IS,
        /** Copied by the {@link ShmInterceptor}: shm pools into host memory, keymaps into sealed guest memfds. */
        COPY,
        /** Bridged by the transport ({@code bridgePipe}, {@code bridgeHostPipe}) through the {@link PipeBridgeInterceptor}. */
        BRIDGE,
        /** Cannot cross: globals that would carry it are hidden. */
        NONE
    }

    private final Capabilities capabilities;

    private FdTranslation(Capabilities capabilities) {
        this.capabilities = capabilities;
    }

    public static FdTranslation of(Capabilities capabilities) {
        return new FdTranslation(capabilities);
    }

    /**
     * The route of an fd of {@code kind} in a request ({@code request}) or event; {@code kind} null for
     * a message the table does not know.
     */
    public Route route(FdKind kind, boolean request) {
        boolean memorySeparate = !capabilities.guestMemoryVisibleToHost();
        if (kind == FdKind.SHM_POOL && request && memorySeparate) {
            return Route.COPY;
        }
        // Copied even where it could pass: a client may then map it privately whatever the compositor sent.
        if (kind == FdKind.KEYMAP && !request && memorySeparate) {
            return Route.COPY;
        }
        if (capabilities.fdsPassThrough()) {
            return Route.AS_IS;
        }
        return kind != null && kind.isPipe() ? Route.BRIDGE : Route.NONE;
    }

    /** True when every fd {@code message} carries has a route: what the registry policy asks of each global's messages. */
    public boolean carries(MessageSpec message) {
        if (message.fdCount() == 0) {
            return true;
        }
        List<FdKind> kinds = FdTable.kinds(message);
        if (kinds == null || kinds.size() != message.fdCount()) {
            return route(null, message.isRequest()) != Route.NONE;
        }
        for (FdKind kind : kinds) {
            if (route(kind, message.isRequest()) == Route.NONE) {
                return false;
            }
        }
        return true;
    }

    /**
     * Which way data flows through a pipe end of {@code kind} in a request or event: a write end the host
     * receives is written by the host, one the guest receives is written by the guest.
     */
    public static PipeDirection direction(FdKind kind, boolean request) {
        boolean receiverWrites = kind == FdKind.PIPE_WRITE_END;
        return receiverWrites == request ? PipeDirection.HOST_TO_GUEST : PipeDirection.GUEST_TO_HOST;
    }

    /**
     * The interceptors that carry out the routes, in the order a session runs them.
     *
     * @param shmLimits what the shm mirror lets clients hold, shared by every session of a daemon
     */
    public List<InterceptorFactory> interceptors(ShmLimits shmLimits) {
        List<InterceptorFactory> factories = new ArrayList<>();
        if (!capabilities.guestMemoryVisibleToHost()) {
            factories.add(session -> new ShmInterceptor(session, shmLimits));
        }
        if (!capabilities.fdsPassThrough()) {
            factories.add(PipeBridgeInterceptor::new);
        }
        return factories;
    }
}
