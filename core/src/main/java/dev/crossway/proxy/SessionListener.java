package dev.crossway.proxy;

/**
 * Hears about session life cycles, for metrics and bookkeeping. Calls must be fast and must not throw.
 */
public interface SessionListener {
    SessionListener NONE = new SessionListener() {
    };

    default void sessionStarted(Session session) {
    }

    /** Called once, after both relay threads have ended and every fd of the session is closed. */
    default void sessionClosed(Session session, SessionStats stats) {
    }
}
