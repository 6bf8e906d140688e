package dev.crossway.wire;

import dev.crossway.protocol.Arg;
import dev.crossway.protocol.ArgType;
import dev.crossway.protocol.MessageSpec;
import java.util.Arrays;

/**
 * A decoded message: the target object, its {@link MessageSpec}, and argument values.
 *
 * <p>Values by type: INT, UINT, FIXED (raw 24.8), OBJECT (id, 0 for null), typed NEW_ID (id) and FD
 * (the fd number) are {@link Integer}; STRING is {@link String} (null allowed where the XML allows
 * it); ARRAY is {@code byte[]}; an untyped NEW_ID is a {@link NewId}.
 *
 * <p>Only messages someone needs to look inside are decoded; everything else is relayed as bytes.
 * Setting an argument marks the message {@linkplain #isModified() modified} so the relay re-encodes it;
 * an unmodified message is forwarded as its original bytes.
 *
 * <p>fd ownership: fd values belong to the message until it is encoded for sending or dropped.
 */
public final class Message {
    private final int objectId;
    private final MessageSpec spec;
    private final Object[] args;
    private boolean modified;

    public Message(int objectId, MessageSpec spec, Object... args) {
        if (args.length != spec.args().size()) {
            throw new IllegalArgumentException(spec.qualifiedName() + " takes " + spec.args().size() + " arguments, got " + args.length);
        }
        this.objectId = objectId;
        this.spec = spec;
        this.args = args;
    }

    public int objectId() {
        return objectId;
    }

    public MessageSpec spec() {
        return spec;
    }

    public int opcode() {
        return spec.opcode();
    }

    public int argCount() {
        return args.length;
    }

    public Object arg(int i) {
        return args[i];
    }

    public int intArg(int i) {
        Object v = args[i];
        if (v instanceof NewId n) {
            return n.id();
        }
        return (Integer) v;
    }

    public String stringArg(int i) {
        return (String) args[i];
    }

    public NewId newIdArg(int i) {
        return (NewId) args[i];
    }

    /** Index of the argument called {@code name}; throws if there is none. */
    public int indexOf(String name) {
        var list = spec.args();
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(spec.qualifiedName() + " has no argument '" + name + "'");
    }

    /** Replaces an argument value; the message will be re-encoded. */
    public void set(int i, Object value) {
        checkType(spec.args().get(i), value);
        args[i] = value;
        modified = true;
    }

    public boolean isModified() {
        return modified;
    }

    private void checkType(Arg a, Object v) {
        boolean ok = switch (a.type()) {
            case INT, UINT, FIXED, OBJECT, FD -> v instanceof Integer;
            case NEW_ID -> a.isUntypedNewId() ? v instanceof NewId : v instanceof Integer;
            case STRING -> v == null ? a.nullable() : v instanceof String;
            case ARRAY -> v instanceof byte[];
        };
        if (!ok) {
            throw new IllegalArgumentException(spec.qualifiedName() + " argument '" + a.name() + "' (" + a.type().xmlName()
                    + ") cannot take " + (v == null ? "null" : v.getClass().getSimpleName()));
        }
    }

    /** The fd values of this message, in argument order. */
    public int[] fds() {
        int[] out = new int[spec.fdCount()];
        int k = 0;
        for (int i = 0; i < args.length; i++) {
            if (spec.args().get(i).type() == ArgType.FD) {
                out[k++] = (Integer) args[i];
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return spec.owner().name() + "@" + objectId + "." + spec.name() + Arrays.deepToString(args);
    }
}
