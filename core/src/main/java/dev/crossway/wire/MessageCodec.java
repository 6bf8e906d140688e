package dev.crossway.wire;

import dev.crossway.protocol.Arg;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.spi.FdQueue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes message bodies into {@link Message}s and encodes them back, driven by a {@link MessageSpec}.
 *
 * <p>Wire rules (libwayland's {@code connection.c}): every argument is 4-byte aligned; a string is
 * a u32 length that counts the terminating NUL (0 means null), the bytes, the NUL, padding; an array
 * is a u32 byte count, the bytes, padding; an fd takes no bytes and comes from the fd queue.
 */
public final class MessageCodec {
    private MessageCodec() {
    }

    /**
     * Decodes the message whose header starts at {@code offset} in {@code buf}. Takes the message's
     * fds from the front of {@code fds}.
     *
     * @throws WireException for malformed bodies or missing fds; on failure no fd is taken
     */
    public static Message decode(ByteBuffer buf, int offset, MessageSpec spec, FdQueue fds) throws WireException {
        return decode(Message.reusable(), buf, offset, spec, fds);
    }

    /**
     * As {@link #decode(ByteBuffer, int, MessageSpec, FdQueue)}, into {@code into} (see {@link Message#reusable()}):
     * integer arguments are stored unboxed, so a message without strings or arrays makes no garbage.
     *
     * @return {@code into}
     */
    public static Message decode(Message into, ByteBuffer buf, int offset, MessageSpec spec, FdQueue fds) throws WireException {
        int objectId = Wire.objectId(buf, offset);
        int size = Wire.size(buf, offset);
        int end = offset + size;
        if (end > buf.limit()) {
            throw malformed(objectId, spec, "size " + size + " goes beyond the " + (buf.limit() - offset) + " bytes received");
        }
        if (fds.size() < spec.fdCount()) {
            throw new WireException(WireException.Kind.MISSING_FD, objectId,
                    spec.qualifiedName() + " needs " + spec.fdCount() + " fd(s) but " + fds.size() + " arrived");
        }
        List<Arg> argSpecs = spec.args();
        Message message = into.reset(objectId, spec);
        int p = offset + Wire.HEADER_SIZE;
        int fdIndex = 0;
        for (int i = 0; i < argSpecs.size(); i++) {
            Arg a = argSpecs.get(i);
            switch (a.type()) {
                case FD -> message.putInt(i, fds.peek(fdIndex++));
                case STRING -> {
                    int len = u32(buf, p, end, objectId, spec, a);
                    p += 4;
                    message.putRef(i, readString(buf, p, end, len, objectId, spec, a));
                    p += Wire.pad(len);
                }
                case ARRAY -> {
                    int len = u32(buf, p, end, objectId, spec, a);
                    p += 4;
                    if (len < 0 || len > end - p) {
                        throw malformed(objectId, spec, "array '" + a.name() + "' of " + Integer.toUnsignedString(len)
                                + " bytes overflows the message");
                    }
                    byte[] bytes = new byte[len];
                    buf.get(p, bytes);
                    message.putRef(i, bytes);
                    p += Wire.pad(len);
                }
                case NEW_ID -> {
                    if (a.isUntypedNewId()) {
                        int len = u32(buf, p, end, objectId, spec, a);
                        p += 4;
                        String name = readString(buf, p, end, len, objectId, spec, a);
                        if (name == null) {
                            throw malformed(objectId, spec, "interface name of new_id '" + a.name() + "' is null");
                        }
                        p += Wire.pad(len);
                        int version = u32(buf, p, end, objectId, spec, a);
                        p += 4;
                        int id = u32(buf, p, end, objectId, spec, a);
                        p += 4;
                        message.putRef(i, new NewId(name, version, id));
                    } else {
                        message.putInt(i, u32(buf, p, end, objectId, spec, a));
                        p += 4;
                    }
                }
                default -> {
                    int v = u32(buf, p, end, objectId, spec, a);
                    if (a.type() == dev.crossway.protocol.ArgType.OBJECT && v == 0 && !a.nullable()) {
                        throw malformed(objectId, spec, "object '" + a.name() + "' is null but may not be");
                    }
                    message.putInt(i, v);
                    p += 4;
                }
            }
        }
        if (p != end) {
            throw malformed(objectId, spec, (end - p) + " trailing bytes after the last argument");
        }
        for (int i = 0; i < spec.fdCount(); i++) {
            fds.take();
        }
        return message;
    }

    /**
     * Checks, without decoding or allocating, that the {@code size} bytes at {@code offset} hold exactly
     * {@code spec}'s arguments as {@link #decode} would take them: lengths within the message, strings
     * NUL-terminated, non-nullable strings, objects and interface names present. What the relay forwards
     * untouched passes here first, so neither peer ever gets a message its parser would have to refuse.
     *
     * @throws WireException naming the first thing wrong
     */
    public static void checkLayout(ByteBuffer buf, int offset, int size, MessageSpec spec) throws WireException {
        int objectId = Wire.objectId(buf, offset);
        int fixed = spec.fixedSize();
        List<Arg> argSpecs = spec.args();
        if (fixed >= 0) {
            if (size != fixed) {
                throw malformed(objectId, spec, size + " bytes, but its arguments take " + fixed);
            }
            for (int i = 0; i < argSpecs.size(); i++) {
                Arg a = argSpecs.get(i);
                if (a.type() == dev.crossway.protocol.ArgType.OBJECT && !a.nullable()) {
                    checkObject(buf, offset, spec, objectId, a);
                }
            }
            return;
        }
        int end = offset + size;
        int p = offset + Wire.HEADER_SIZE;
        for (int i = 0; i < argSpecs.size(); i++) {
            Arg a = argSpecs.get(i);
            switch (a.type()) {
                case FD -> {
                }
                case STRING -> p = skipString(buf, p, end, objectId, spec, a, a.nullable());
                case ARRAY -> {
                    int len = u32(buf, p, end, objectId, spec, a);
                    p += 4;
                    if (len < 0 || len > end - p || Wire.pad(len) > end - p) {
                        throw malformed(objectId, spec, "array '" + a.name() + "' of " + Integer.toUnsignedString(len)
                                + " bytes overflows the message");
                    }
                    p += Wire.pad(len);
                }
                case NEW_ID -> {
                    if (a.isUntypedNewId()) {
                        p = skipString(buf, p, end, objectId, spec, a, false);
                        u32(buf, p, end, objectId, spec, a);
                        p += 4;
                    }
                    u32(buf, p, end, objectId, spec, a);
                    p += 4;
                }
                default -> {
                    int v = u32(buf, p, end, objectId, spec, a);
                    if (a.type() == dev.crossway.protocol.ArgType.OBJECT && v == 0 && !a.nullable()) {
                        throw malformed(objectId, spec, "object '" + a.name() + "' is null but may not be");
                    }
                    p += 4;
                }
            }
        }
        if (p != end) {
            throw malformed(objectId, spec, (end - p) + " trailing bytes after the last argument");
        }
    }

    /** A non-nullable object argument of a fixed-size message is not 0. */
    private static void checkObject(ByteBuffer buf, int offset, MessageSpec spec, int objectId, Arg a) throws WireException {
        int at = offset + Wire.HEADER_SIZE;
        for (Arg x : spec.args()) {
            if (x == a) {
                if (buf.getInt(at) == 0) {
                    throw malformed(objectId, spec, "object '" + a.name() + "' is null but may not be");
                }
                return;
            }
            at += x.type() == dev.crossway.protocol.ArgType.FD ? 0 : 4;
        }
    }

    /** Where the string at {@code p} ends (padded), after checking it as {@link #readString} would. */
    private static int skipString(ByteBuffer buf, int p, int end, int objectId, MessageSpec spec, Arg a, boolean nullable)
            throws WireException {
        int len = u32(buf, p, end, objectId, spec, a);
        p += 4;
        if (len == 0) {
            if (!nullable) {
                throw malformed(objectId, spec, (a.type() == dev.crossway.protocol.ArgType.STRING ? "string '" : "interface name of new_id '")
                        + a.name() + "' is null but may not be");
            }
            return p;
        }
        if (len < 0 || len > end - p || Wire.pad(len) > end - p) {
            throw malformed(objectId, spec, "string '" + a.name() + "' of " + Integer.toUnsignedString(len) + " bytes overflows the message");
        }
        if (buf.get(p + len - 1) != 0) {
            throw malformed(objectId, spec, "string '" + a.name() + "' is not NUL-terminated");
        }
        return p + Wire.pad(len);
    }

    /** Bytes {@code message} takes on the wire. */
    public static int encodedSize(Message message) {
        int size = Wire.HEADER_SIZE;
        List<Arg> argSpecs = message.spec().args();
        for (int i = 0; i < argSpecs.size(); i++) {
            Arg a = argSpecs.get(i);
            switch (a.type()) {
                case FD -> {
                }
                case STRING -> {
                    String v = message.stringArg(i);
                    size += 4 + (v == null ? 0 : Wire.pad(utf8Length(v) + 1));
                }
                case ARRAY -> size += 4 + Wire.pad(((byte[]) message.arg(i)).length);
                case NEW_ID -> size += a.isUntypedNewId()
                        ? 4 + Wire.pad(utf8Length(message.newIdArg(i).interfaceName()) + 1) + 8 : 4;
                default -> size += 4;
            }
        }
        return size;
    }

    /**
     * Appends {@code message} at {@code dst}'s position and its fds to {@code fds} (ownership moves with
     * them).
     *
     * @throws WireException when the message would exceed {@link Wire#MAX_MESSAGE_SIZE}
     */
    public static void encode(Message message, ByteBuffer dst, FdQueue fds) throws WireException {
        int size = encodedSize(message);
        if (size > Wire.MAX_MESSAGE_SIZE) {
            throw new WireException(WireException.Kind.MALFORMED, message.objectId(),
                    message.spec().qualifiedName() + " would take " + size + " bytes, more than the maximum of " + Wire.MAX_MESSAGE_SIZE);
        }
        dst.putInt(message.objectId());
        dst.putInt(Wire.sizeAndOpcode(size, message.opcode()));
        List<Arg> argSpecs = message.spec().args();
        for (int i = 0; i < argSpecs.size(); i++) {
            Arg a = argSpecs.get(i);
            switch (a.type()) {
                case FD -> fds.add(message.intArg(i));
                case STRING -> putString(dst, message.stringArg(i));
                case ARRAY -> {
                    byte[] bytes = (byte[]) message.arg(i);
                    dst.putInt(bytes.length);
                    dst.put(bytes);
                    padTo4(dst, bytes.length);
                }
                case NEW_ID -> {
                    if (a.isUntypedNewId()) {
                        NewId n = message.newIdArg(i);
                        putString(dst, n.interfaceName());
                        dst.putInt(n.version());
                        dst.putInt(n.id());
                    } else {
                        dst.putInt(message.intArg(i));
                    }
                }
                default -> dst.putInt(message.intArg(i));
            }
        }
    }

    private static void putString(ByteBuffer dst, String s) {
        if (s == null) {
            dst.putInt(0);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        dst.putInt(bytes.length + 1);
        dst.put(bytes);
        dst.put((byte) 0);
        padTo4(dst, bytes.length + 1);
    }

    private static void padTo4(ByteBuffer dst, int written) {
        for (int i = written; i < Wire.pad(written); i++) {
            dst.put((byte) 0);
        }
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static int u32(ByteBuffer buf, int p, int end, int objectId, MessageSpec spec, Arg a) throws WireException {
        if (end - p < 4) {
            throw malformed(objectId, spec, "message ends before argument '" + a.name() + "'");
        }
        return buf.getInt(p);
    }

    private static String readString(ByteBuffer buf, int p, int end, int len, int objectId, MessageSpec spec, Arg a)
            throws WireException {
        if (len == 0) {
            if (!a.nullable() && a.type() == dev.crossway.protocol.ArgType.STRING) {
                throw malformed(objectId, spec, "string '" + a.name() + "' is null but may not be");
            }
            return null;
        }
        if (len < 0 || len > end - p || Wire.pad(len) > end - p) { // pad() of a length near 2^31 wraps: check both
            throw malformed(objectId, spec, "string '" + a.name() + "' of " + Integer.toUnsignedString(len)
                    + " bytes overflows the message");
        }
        if (buf.get(p + len - 1) != 0) {
            throw malformed(objectId, spec, "string '" + a.name() + "' is not NUL-terminated");
        }
        byte[] bytes = new byte[len - 1];
        buf.get(p, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static WireException malformed(int objectId, MessageSpec spec, String what) {
        return new WireException(WireException.Kind.MALFORMED, objectId, spec.qualifiedName() + ": " + what);
    }
}
