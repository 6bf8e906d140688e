package dev.crossway.proxy;

import dev.crossway.protocol.Arg;
import dev.crossway.wire.Fixed;
import dev.crossway.wire.Message;
import dev.crossway.wire.NewId;
import java.util.List;

/** Formats messages the way WAYLAND_DEBUG does: {@code wl_surface@12.attach(wl_buffer@30, 0, 0)}. */
public final class Trace {
    private Trace() {
    }

    public static String format(Message m, ObjectTable objects) {
        StringBuilder sb = new StringBuilder();
        sb.append(m.spec().owner().name()).append('@').append(Integer.toUnsignedString(m.objectId()))
                .append('.').append(m.spec().name()).append('(');
        List<Arg> args = m.spec().args();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            Arg a = args.get(i);
            Object v = m.arg(i);
            switch (a.type()) {
                case INT -> sb.append((int) (Integer) v);
                case UINT -> sb.append(Integer.toUnsignedString((Integer) v));
                case FIXED -> sb.append(Fixed.toDouble((Integer) v));
                case STRING -> {
                    if (v == null) {
                        sb.append("nil");
                    } else {
                        sb.append('"').append(v).append('"');
                    }
                }
                case OBJECT -> {
                    int id = (Integer) v;
                    if (id == 0) {
                        sb.append("nil");
                    } else {
                        ObjectTable.Entry e = objects.get(id);
                        sb.append(e == null ? "[unknown]" : e.iface().name()).append('@').append(Integer.toUnsignedString(id));
                    }
                }
                case NEW_ID -> {
                    if (v instanceof NewId n) {
                        sb.append("new id ").append(n.interfaceName()).append('@').append(Integer.toUnsignedString(n.id()))
                                .append(" v").append(n.version());
                    } else {
                        sb.append("new id ").append(a.interfaceName()).append('@').append(Integer.toUnsignedString((Integer) v));
                    }
                }
                case ARRAY -> sb.append("array[").append(((byte[]) v).length).append(']');
                case FD -> sb.append("fd ").append((int) (Integer) v);
            }
        }
        return sb.append(')').toString();
    }
}
