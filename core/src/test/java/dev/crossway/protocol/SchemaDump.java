package dev.crossway.protocol;

import java.util.List;
import java.util.Map;

/**
 * A deterministic text dump of parsed interfaces, for golden files: one line per interface, message and enum,
 * then one indented line per argument. Everything is in declaration order, which the loader preserves.
 */
final class SchemaDump {
    private SchemaDump() {
    }

    static String dump(List<Interface> interfaces) {
        StringBuilder out = new StringBuilder();
        for (Interface i : interfaces) {
            String head = i.name() + " v" + i.version();
            out.append(head).append(" protocol=").append(i.protocolName()).append('\n');
            for (MessageSpec m : i.requests()) {
                message(out, head, m);
            }
            for (MessageSpec m : i.events()) {
                message(out, head, m);
            }
            for (EnumSpec e : i.enums().values()) {
                out.append(head).append(" enum ").append(e.name()).append(e.bitfield() ? " bitfield" : "").append(':');
                for (Map.Entry<String, Long> entry : e.entries().entrySet()) {
                    // Bitfields read best in hex, plain enums in decimal.
                    String value = e.bitfield() ? "0x" + Long.toHexString(entry.getValue()) : entry.getValue().toString();
                    out.append(' ').append(entry.getKey()).append('=').append(value);
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static void message(StringBuilder out, String head, MessageSpec m) {
        out.append(head)
                .append(m.isRequest() ? " request " : " event ")
                .append(m.opcode()).append(' ')
                .append(m.name()).append('(').append(m.signature()).append(')')
                .append(" since=").append(m.since())
                .append(m.isDestructor() ? " destructor" : "")
                .append('\n');
        for (Arg a : m.args()) {
            out.append("    arg ").append(a.name()).append(' ').append(a.type().xmlName());
            if (a.interfaceName() != null) {
                out.append(" interface=").append(a.interfaceName());
            }
            if (a.isUntypedNewId()) {
                out.append(" untyped");
            }
            if (a.nullable()) {
                out.append(" nullable");
            }
            if (a.enumName() != null) {
                out.append(" enum=").append(a.enumName());
            }
            out.append('\n');
        }
    }
}
