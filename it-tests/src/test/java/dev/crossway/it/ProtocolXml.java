package dev.crossway.it;

import dev.crossway.protocol.Arg;
import dev.crossway.protocol.EnumSpec;
import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import java.util.List;

/** Protocol XML written from Crossway's own model, so a test can add "its XML" without a copy in the repository. */
final class ProtocolXml {
    private ProtocolXml() {
    }

    static String of(String protocolName, List<Interface> interfaces) {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<protocol name=\"")
                .append(protocolName).append("\">\n");
        for (Interface i : interfaces) {
            x.append("  <interface name=\"").append(i.name()).append("\" version=\"").append(i.version()).append("\">\n");
            for (MessageSpec m : i.requests()) {
                message(x, "request", m);
            }
            for (MessageSpec m : i.events()) {
                message(x, "event", m);
            }
            for (EnumSpec e : i.enums().values()) {
                x.append("    <enum name=\"").append(e.name()).append('"').append(e.bitfield() ? " bitfield=\"true\"" : "").append(">\n");
                e.entries().forEach((k, v) -> x.append("      <entry name=\"").append(k).append("\" value=\"").append(v).append("\"/>\n"));
                x.append("    </enum>\n");
            }
            x.append("  </interface>\n");
        }
        return x.append("</protocol>\n").toString();
    }

    private static void message(StringBuilder x, String kind, MessageSpec m) {
        x.append("    <").append(kind).append(" name=\"").append(m.name()).append('"');
        if (m.isDestructor()) {
            x.append(" type=\"destructor\"");
        }
        x.append(" since=\"").append(m.since()).append("\">\n");
        for (Arg a : m.args()) {
            x.append("      <arg name=\"").append(a.name()).append("\" type=\"").append(a.type().xmlName()).append('"');
            if (a.interfaceName() != null) {
                x.append(" interface=\"").append(a.interfaceName()).append('"');
            }
            if (a.nullable()) {
                x.append(" allow-null=\"true\"");
            }
            if (a.enumName() != null) {
                x.append(" enum=\"").append(a.enumName()).append('"');
            }
            x.append("/>\n");
        }
        x.append("    </").append(kind).append(">\n");
    }
}
