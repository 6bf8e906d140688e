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
    private final int newIdOffset;

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
        this.newIdOffset = fixedNewIdOffset(this.args);
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

    /**
     * Byte offset (from the message start) of the only new_id argument when it is typed and every
     * argument before it has a fixed size, else -1. Lets the relay track object creation without
     * decoding, as for {@code wl_surface.frame} or {@code wl_display.sync}.
     */
    public int newIdOffset() {
        return newIdOffset;
    }

    private static int fixedNewIdOffset(List<Arg> args) {
        int offset = 8;
        int found = -1;
        for (Arg a : args) {
            switch (a.type()) {
                case NEW_ID -> {
                    if (found >= 0 || a.isUntypedNewId()) {
                        return -1;
                    }
                    found = offset;
                    offset += 4;
                }
                case FD -> {
                }
                case STRING, ARRAY -> {
                    if (found < 0) {
                        return -1;
                    }
                    offset = Integer.MIN_VALUE / 2;
                }
                default -> offset += 4;
            }
        }
        return found;
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
