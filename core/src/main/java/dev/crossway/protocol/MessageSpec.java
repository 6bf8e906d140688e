package dev.crossway.protocol;

import java.util.List;

/**
 * A request or event as declared in protocol XML.
 *
 * <p>The derived fields ({@link #fdCount()}, {@link #hasNewId()}) are computed once so the relay
 * can decide per message, without decoding, whether it must look inside.
 */
public final class MessageSpec {
    private final Interface owner;
    private final String name;
    private final int opcode;
    private final boolean request;
    private final int since;
    private final boolean destructor;
    private final List<Arg> args;
    private final int fdCount;
    private final boolean hasNewId;
    private final String signature;

    public MessageSpec(Interface owner, String name, int opcode, boolean request, int since, boolean destructor, List<Arg> args) {
        this.owner = owner;
        this.name = name;
        this.opcode = opcode;
        this.request = request;
        this.since = since;
        this.destructor = destructor;
        this.args = List.copyOf(args);
        int fds = 0;
        boolean newId = false;
        StringBuilder sig = new StringBuilder();
        for (Arg a : this.args) {
            if (a.type() == ArgType.FD) {
                fds++;
            }
            if (a.type() == ArgType.NEW_ID) {
                newId = true;
            }
            if (a.nullable()) {
                sig.append('?');
            }
            sig.append(a.type().code());
        }
        this.fdCount = fds;
        this.hasNewId = newId;
        this.signature = sig.toString();
    }

    public Interface owner() {
        return owner;
    }

    public String name() {
        return name;
    }

    public int opcode() {
        return opcode;
    }

    /** True for a request (client to compositor), false for an event. */
    public boolean isRequest() {
        return request;
    }

    public int since() {
        return since;
    }

    public boolean isDestructor() {
        return destructor;
    }

    public List<Arg> args() {
        return args;
    }

    /** Number of fd arguments: how many fds this message takes from the fd queue. */
    public int fdCount() {
        return fdCount;
    }

    public boolean hasNewId() {
        return hasNewId;
    }

    /** libwayland-style signature, e.g. {@code "usun"} or {@code "?s"}. */
    public String signature() {
        return signature;
    }

    /** {@code interface.name}, as in traces and errors. */
    public String qualifiedName() {
        return owner.name() + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName() + "(" + signature + ")";
    }
}
