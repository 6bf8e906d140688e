package dev.crossway.proxy;

import dev.crossway.protocol.Interface;

/**
 * The interceptors watching each request and event of one interface, by opcode; null where none. Built
 * once per interface per session and kept in every {@link ObjectTable.Entry}, so the relay finds a
 * message's interceptors with two array reads.
 */
public final class InterfaceHooks {
    static final InterfaceHooks NONE = new InterfaceHooks(new Interceptor[0][], new Interceptor[0][]);

    private final Interceptor[][] requests;
    private final Interceptor[][] events;

    InterfaceHooks(Interceptor[][] requests, Interceptor[][] events) {
        this.requests = requests;
        this.events = events;
    }

    static InterfaceHooks sized(Interface iface) {
        return new InterfaceHooks(new Interceptor[iface.requests().size()][], new Interceptor[iface.events().size()][]);
    }

    /** The interceptors for one message, or null. */
    Interceptor[] get(Direction direction, int opcode) {
        Interceptor[][] table = direction == Direction.REQUEST ? requests : events;
        return opcode < table.length ? table[opcode] : null;
    }

    void add(Direction direction, int opcode, Interceptor interceptor) {
        Interceptor[][] table = direction == Direction.REQUEST ? requests : events;
        Interceptor[] old = table[opcode];
        Interceptor[] grown = old == null ? new Interceptor[1] : java.util.Arrays.copyOf(old, old.length + 1);
        grown[grown.length - 1] = interceptor;
        table[opcode] = grown;
    }
}
