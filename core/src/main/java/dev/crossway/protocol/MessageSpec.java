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
    private final int idCount;
    private final int newIdMask;
    private final int[] idOffsets;
    private final int fixedSize;

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
        int ids = 0;
        int mask = 0;
        for (Arg a : this.args) {
            if (a.type() == ArgType.OBJECT || a.type() == ArgType.NEW_ID) {
                if (a.type() == ArgType.NEW_ID) {
                    mask |= 1 << Math.min(ids, 31);
                }
                ids++;
            }
        }
        this.idCount = ids;
        this.newIdMask = mask;
        this.idOffsets = fixedIdOffsets(this.args, ids);
        this.fixedSize = fixedSize(this.args);
    }

    /**
     * The message's size in bytes when every argument has a fixed size (no string, array or untyped
     * new_id), else -1: the relay then checks a message's size against its signature with one comparison.
     */
    public int fixedSize() {
        return fixedSize;
    }

    private static int fixedSize(List<Arg> args) {
        int size = 8;
        for (Arg a : args) {
            if (a.type() == ArgType.STRING || a.type() == ArgType.ARRAY || a.isUntypedNewId()) {
                return -1;
            }
            size += a.type() == ArgType.FD ? 0 : 4;
        }
        return size;
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

    /** Number of object and new_id arguments: the object ids a message carries besides its sender. */
    public int idCount() {
        return idCount;
    }

    /** Whether the {@code i}-th object id argument (counting only object and new_id arguments) is a new_id. */
    public boolean isNewId(int i) {
        return i < 32 && (newIdMask & (1 << i)) != 0;
    }

    /**
     * Whether every object id argument sits at a fixed byte offset, so {@link #idOffset} gives it
     * without reading the message: true unless one follows a string, an array or an untyped new_id.
     * Lets the relay rewrite ids in place, as on a connection whose ids differ from the client's.
     */
    public boolean hasFixedIdOffsets() {
        return idOffsets != null;
    }

    /** Byte offset, from the message start, of the {@code i}-th object id argument; see {@link #hasFixedIdOffsets}. */
    public int idOffset(int i) {
        return idOffsets[i];
    }

    private static int[] fixedIdOffsets(List<Arg> args, int count) {
        int[] offsets = new int[count];
        int offset = 8;
        int n = 0;
        for (Arg a : args) {
            switch (a.type()) {
                case OBJECT -> offsets[n++] = offset;
                case NEW_ID -> {
                    if (a.isUntypedNewId()) {
                        return null;
                    }
                    offsets[n++] = offset;
                }
                case FD -> {
                    continue;
                }
                case STRING, ARRAY -> {
                    if (n < count) {
                        return null;
                    }
                }
                default -> {
                }
            }
            offset += 4;
        }
        return offsets;
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
