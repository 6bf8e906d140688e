package dev.crossway.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Crossway's built-in protocol knowledge: a compact text table of every interface's signature, generated
 * from protocol XML by {@code scripts/protocols} and committed as a resource of this module
 * ({@value #RESOURCE}). Reading it takes a few milliseconds where parsing the XML took hundreds.
 *
 * <p>The table holds facts only: names, versions, message signatures, enums. One item per line, tokens
 * separated by one space, lines starting with {@code #} are comments:
 * <pre>
 * protocol &lt;name&gt; &lt;set&gt;
 * interface &lt;name&gt; &lt;version&gt;
 * request|event &lt;name&gt; &lt;since&gt; [destructor] &lt;arg&gt;...
 * enum &lt;name&gt; [bitfield] &lt;entry&gt;=&lt;value&gt;...
 * </pre>
 * An {@code arg} is {@code type[?]:name[:ref]}: the XML type name, {@code ?} when {@code allow-null}, and
 * {@code ref} the interface of an object or new_id, or the enum of an int or uint. Messages and enums
 * belong to the interface above them, interfaces to the protocol above them, in declaration order, so
 * line order is opcode order.
 */
public final class ProtocolTable {
    /** The committed table, relative to this class. */
    public static final String RESOURCE = "protocol-table.txt";

    private final List<Interface> interfaces;
    private final List<String> comments;

    private ProtocolTable(List<Interface> interfaces, List<String> comments) {
        this.interfaces = List.copyOf(interfaces);
        this.comments = List.copyOf(comments);
    }

    /** The table built into this module, read once (it is immutable). */
    public static ProtocolTable builtIn() {
        return BuiltIn.TABLE;
    }

    /** Holds the built-in table, read on first use. */
    private static final class BuiltIn {
        static final ProtocolTable TABLE = read();
    }

    private static ProtocolTable read() {
        try (InputStream in = ProtocolTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new ProtocolException(RESOURCE, "the crossway-core module has no built-in protocol table "
                        + "dev/crossway/protocol/" + RESOURCE + " (regenerate it with scripts/protocols)");
            }
            return parse(RESOURCE, in.readAllBytes());
        } catch (IOException e) {
            throw new ProtocolException(RESOURCE, "cannot read the built-in protocol table: " + e, e);
        }
    }

    /**
     * Reads a table.
     *
     * @param sourceName how errors name it
     * @throws ProtocolException naming the line when the table is malformed
     */
    public static ProtocolTable parse(String sourceName, byte[] bytes) {
        // Names are ASCII; Latin-1 decodes without a charset decoder and keeps strings compact.
        return new Reader(sourceName, new String(bytes, StandardCharsets.ISO_8859_1)).read();
    }

    /** Every interface, in table order, each frozen. */
    public List<Interface> interfaces() {
        return interfaces;
    }

    /** The comment lines, without their {@code #}: what the table was generated from, and how conflicts were settled. */
    public List<String> comments() {
        return comments;
    }

    /** A line-by-line reader; every error names the line. */
    private static final class Reader {
        private final String source;
        private final String text;
        private int lineNo;
        private String protocol;
        private Interface current;
        private Map<String, EnumSpec> enums;
        private final List<Interface> out = new ArrayList<>();
        private final List<String> comments = new ArrayList<>();

        Reader(String source, String text) {
            this.source = source;
            this.text = text;
        }

        ProtocolTable read() {
            int pos = 0;
            while (pos < text.length()) {
                int end = text.indexOf('\n', pos);
                if (end < 0) {
                    end = text.length();
                }
                lineNo++;
                if (end > pos) {
                    line(text.substring(pos, end));
                }
                pos = end + 1;
            }
            finishInterface();
            return new ProtocolTable(out, comments);
        }

        private void line(String line) {
            if (line.charAt(0) == '#') {
                comments.add(line.substring(1).strip());
                return;
            }
            String[] t = tokens(line);
            switch (t[0]) {
                case "protocol" -> {
                    need(t, 3);
                    finishInterface();
                    protocol = t[1];
                }
                case "interface" -> {
                    need(t, 3);
                    finishInterface();
                    if (protocol == null) {
                        throw error("interface before any protocol line");
                    }
                    current = new Interface(t[1], number(t[2]), protocol);
                    enums = new LinkedHashMap<>();
                }
                case "request", "event" -> message(t, t[0].equals("request"));
                case "enum" -> enumLine(t);
                default -> throw error("unknown line kind '" + t[0] + "'");
            }
        }

        private void message(String[] t, boolean request) {
            need(t, 3);
            if (current == null) {
                throw error(t[0] + " outside an interface");
            }
            int i = 3;
            boolean destructor = t.length > 3 && t[3].equals("destructor");
            if (destructor) {
                i++;
            }
            List<Arg> args = new ArrayList<>(t.length - i);
            for (; i < t.length; i++) {
                args.add(arg(t[i]));
            }
            current.add(t[1], request, number(t[2]), destructor, args);
        }

        private Arg arg(String token) {
            int c1 = token.indexOf(':');
            if (c1 < 1) {
                throw error("argument '" + token + "' is not type:name[:ref]");
            }
            int c2 = token.indexOf(':', c1 + 1);
            boolean nullable = token.charAt(c1 - 1) == '?';
            String typeName = token.substring(0, nullable ? c1 - 1 : c1);
            ArgType type = ArgType.ofXmlName(typeName);
            if (type == null) {
                throw error("argument '" + token + "' has unknown type '" + typeName + "'");
            }
            String name = c2 < 0 ? token.substring(c1 + 1) : token.substring(c1 + 1, c2);
            String ref = c2 < 0 ? null : token.substring(c2 + 1);
            boolean isObject = type == ArgType.OBJECT || type == ArgType.NEW_ID;
            return new Arg(name, type, isObject ? ref : null, nullable, isObject ? null : ref);
        }

        private void enumLine(String[] t) {
            need(t, 2);
            if (current == null) {
                throw error("enum outside an interface");
            }
            int i = 2;
            boolean bitfield = t.length > 2 && t[2].equals("bitfield");
            if (bitfield) {
                i++;
            }
            Map<String, Long> entries = new LinkedHashMap<>();
            for (; i < t.length; i++) {
                int eq = t[i].indexOf('=');
                if (eq < 1) {
                    throw error("enum entry '" + t[i] + "' is not name=value");
                }
                try {
                    entries.put(t[i].substring(0, eq), Long.parseLong(t[i].substring(eq + 1)));
                } catch (NumberFormatException e) {
                    throw error("enum entry '" + t[i] + "' has no decimal value");
                }
            }
            enums.put(t[1], new EnumSpec(t[1], bitfield, entries));
        }

        private void finishInterface() {
            if (current != null) {
                current.freeze(enums);
                out.add(current);
                current = null;
            }
        }

        private static String[] tokens(String line) {
            int n = 1;
            for (int i = 0; i < line.length(); i++) {
                if (line.charAt(i) == ' ') {
                    n++;
                }
            }
            String[] t = new String[n];
            int start = 0;
            for (int k = 0; k < n - 1; k++) {
                int sp = line.indexOf(' ', start);
                t[k] = line.substring(start, sp);
                start = sp + 1;
            }
            t[n - 1] = line.substring(start);
            return t;
        }

        private int number(String s) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw error("'" + s + "' is not a number");
            }
        }

        private void need(String[] t, int n) {
            if (t.length < n) {
                throw error(t[0] + " line needs at least " + n + " fields");
            }
        }

        private ProtocolException error(String detail) {
            return new ProtocolException(source, source + ":" + lineNo + ": " + detail);
        }
    }
}
