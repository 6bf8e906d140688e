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
    private static final int[] NO_INTS = new int[0];
    private static final Object[] NO_REFS = new Object[0];

    private int objectId;
    private MessageSpec spec;
    /** Integer-typed values (INT, UINT, FIXED, OBJECT, typed NEW_ID, FD) by argument index: no boxing. */
    private int[] ints = NO_INTS;
    /** STRING, ARRAY and untyped NEW_ID values by argument index. */
    private Object[] refs = NO_REFS;
    private boolean modified;

    public Message(int objectId, MessageSpec spec, Object... args) {
        if (args.length != spec.args().size()) {
            throw new IllegalArgumentException(spec.qualifiedName() + " takes " + spec.args().size() + " arguments, got " + args.length);
        }
        reset(objectId, spec);
        for (int i = 0; i < args.length; i++) {
            Arg a = spec.args().get(i);
            checkType(a, args[i]);
            store(a, i, args[i]);
        }
    }

    private Message() {
    }

    /**
     * An empty message for its owner to fill again and again ({@link MessageCodec#decode(Message, java.nio.ByteBuffer, int,
     * MessageSpec, dev.crossway.spi.FdQueue)}, {@link #reset}): the relay decodes every message it must look inside
     * into one such, so decoding makes no garbage. Whoever gets it may use it only until the owner's next message.
     */
    public static Message reusable() {
        return new Message();
    }

    /** Readies this message for {@code spec}'s arguments, all 0 or null, to {@code objectId}; unmodified. */
    public Message reset(int objectId, MessageSpec spec) {
        int n = spec.args().size();
        if (ints.length < n) {
            ints = new int[Math.max(n, 2 * ints.length)];
            refs = new Object[ints.length];
        } else {
            Arrays.fill(refs, 0, n, null);
            Arrays.fill(ints, 0, n, 0);
        }
        this.objectId = objectId;
        this.spec = spec;
        this.modified = false;
        return this;
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
        return spec.args().size();
    }

    /** The value as {@link Message} documents; integer values are boxed here, so the relay's own code uses {@link #intArg}. */
    public Object arg(int i) {
        return isInt(spec.args().get(i)) ? Integer.valueOf(ints[i]) : refs[i]; // get(i) has checked i
    }

    public int intArg(int i) {
        Arg a = spec.args().get(i);
        if (isInt(a)) {
            return ints[i];
        }
        Object v = refs[i];
        if (v instanceof NewId n) {
            return n.id();
        }
        throw new ClassCastException(spec.qualifiedName() + " argument '" + a.name() + "' (" + a.type().xmlName() + ") is not an integer");
    }

    public String stringArg(int i) {
        return (String) refs[checkIndex(i)];
    }

    public NewId newIdArg(int i) {
        return (NewId) refs[checkIndex(i)];
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
        Arg a = spec.args().get(i);
        checkType(a, value);
        store(a, i, value);
        modified = true;
    }

    /** Replaces an integer-typed argument's value without boxing it; the message will be re-encoded. */
    public void setInt(int i, int value) {
        Arg a = spec.args().get(i);
        if (!isInt(a)) {
            throw new IllegalArgumentException(spec.qualifiedName() + " argument '" + a.name() + "' (" + a.type().xmlName()
                    + ") cannot take an int");
        }
        ints[i] = value;
        modified = true;
    }

    public boolean isModified() {
        return modified;
    }

    /** Stores a decoded value: no check, not a modification. */
    void putInt(int i, int value) {
        ints[i] = value;
    }

    void putRef(int i, Object value) {
        refs[i] = value;
    }

    private int checkIndex(int i) {
        if (i >= spec.args().size()) {
            throw new IndexOutOfBoundsException(spec.qualifiedName() + " has " + spec.args().size() + " arguments, not " + (i + 1));
        }
        return i;
    }

    private void store(Arg a, int i, Object value) {
        if (isInt(a)) {
            ints[i] = (Integer) value;
        } else {
            refs[i] = value;
        }
    }

    /** Integer-typed: kept in {@link #ints}. */
    static boolean isInt(Arg a) {
        return switch (a.type()) {
            case INT, UINT, FIXED, OBJECT, FD -> true;
            case NEW_ID -> !a.isUntypedNewId();
            case STRING, ARRAY -> false;
        };
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

    /** The {@code k}th fd value of this message, in argument order ({@code k < spec().fdCount()}). */
    public int fd(int k) {
        var list = spec.args();
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).type() == ArgType.FD && k-- == 0) {
                return ints[i];
            }
        }
        throw new IndexOutOfBoundsException(spec.qualifiedName() + " has " + spec.fdCount() + " fds");
    }

    /** The fd values of this message, in argument order. */
    public int[] fds() {
        int[] out = new int[spec.fdCount()];
        for (int k = 0; k < out.length; k++) {
            out[k] = fd(k);
        }
        return out;
    }

    @Override
    public String toString() {
        Object[] args = new Object[argCount()];
        for (int i = 0; i < args.length; i++) {
            args[i] = arg(i);
        }
        return spec.owner().name() + "@" + objectId + "." + spec.name() + Arrays.deepToString(args);
    }
}
