package dev.crossway.proxy;

import dev.crossway.wire.Message;
import java.util.List;

/**
 * Watches chosen messages of a session to rewrite arguments, drop them, inject others or translate
 * their fds. Messages no interceptor watches are relayed as bytes without being decoded.
 *
 * <p>One instance serves one session (see {@link InterceptorFactory}), so it may keep per-session
 * state in fields. Both relay threads may call it, one message at a time per direction.
 *
 * <p>To forward, call {@link Chain#proceed} once, with the message (changed or not); not calling it
 * drops the message. Throw {@link ProtocolError} to end the session with {@code wl_display.error}.
 */
public interface Interceptor {

    /** The messages this interceptor watches, resolved against the schema when a session starts. */
    List<Hook> hooks();

    void intercept(Chain chain) throws ProtocolError;

    /**
     * Whether this interceptor creates objects of its own on the host ({@link Session#newOwnObject}).
     * If any does, the session translates object ids between the client and host connections; if none
     * does (the default), ids pass unchanged at no cost.
     */
    default boolean createsHostObjects() {
        return false;
    }

    /** The interceptor's view of one message's trip through the chain. */
    interface Chain {
        Message message();

        Session session();

        /** Passes {@code message} on to the next interceptor, and finally to the peer. At most once. */
        void proceed(Message message) throws ProtocolError;
    }

    /** One watched message: interface and message name, request or event. */
    record Hook(String interfaceName, Direction direction, String messageName) {
        public static Hook request(String interfaceName, String messageName) {
            return new Hook(interfaceName, Direction.REQUEST, messageName);
        }

        public static Hook event(String interfaceName, String messageName) {
            return new Hook(interfaceName, Direction.EVENT, messageName);
        }

        @Override
        public String toString() {
            return interfaceName + "." + messageName + (direction == Direction.REQUEST ? " (request)" : " (event)");
        }
    }
}
