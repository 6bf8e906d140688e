package dev.crossway.proxy;

import dev.crossway.wire.Message;
import java.util.Arrays;

/**
 * The one {@link Interceptor.Chain} of a relay, reused for every intercepted message (a proxy cannot
 * afford a new chain per message). Enforces that each interceptor proceeds at most once, and names the
 * one that did not.
 */
final class RealChain implements Interceptor.Chain {
    /** What happens after the last interceptor: the relay forwards the message. */
    interface Terminal {
        void forward(Message message) throws ProtocolError;
    }

    private final Session session;
    private final Terminal terminal;
    private Interceptor[] interceptors;
    private boolean[] proceeded = new boolean[4];
    private int index;
    private Message message;

    RealChain(Session session, Terminal terminal) {
        this.session = session;
        this.terminal = terminal;
    }

    /** Runs {@code message} through {@code list}; returns whether it reached the terminal. */
    boolean run(Interceptor[] list, Message first) throws ProtocolError {
        interceptors = list;
        if (proceeded.length < list.length) {
            proceeded = new boolean[list.length];
        }
        Arrays.fill(proceeded, false);
        message = first;
        index = 0;
        list[0].intercept(this);
        boolean forwarded = proceeded[list.length - 1];
        interceptors = null;
        message = null;
        return forwarded;
    }

    @Override
    public Message message() {
        return message;
    }

    @Override
    public Session session() {
        return session;
    }

    @Override
    public void proceed(Message next) throws ProtocolError {
        int current = index;
        if (interceptors == null) {
            throw new IllegalStateException("proceed() called outside intercept()");
        }
        if (proceeded[current]) {
            throw new IllegalStateException(interceptors[current].getClass().getName() + " called proceed() twice for "
                    + next.spec().qualifiedName());
        }
        proceeded[current] = true;
        message = next;
        if (current + 1 < interceptors.length) {
            index = current + 1;
            try {
                interceptors[current + 1].intercept(this);
            } finally {
                index = current;
            }
        } else {
            terminal.forward(next);
        }
    }
}
