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

    private final List<Entry> entries;
    private final List<String> comments;

    private ProtocolTable(List<Entry> entries, List<String> comments) {
        this.entries = List.copyOf(entries);
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
     * Reads a table's index: each interface's name, version and protocol, and where its lines are. The
     * messages of an interface are read when it is first used ({@link Entry#get()}), so start-up pays only
     * for a scan of the text.
     *
     * @param sourceName how errors name it
     * @throws ProtocolException naming the line when the index is malformed
     */
    public static ProtocolTable parse(String sourceName, byte[] bytes) {
        // Names are ASCII; Latin-1 decodes without a charset decoder and keeps strings compact.
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<Entry> entries = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        String protocol = null;
        Entry open = null;
        int pos = 0;
        while (pos < text.length()) {
            int end = text.indexOf('\n', pos);
            if (end < 0) {
                end = text.length();
            }
            boolean isProtocol = text.startsWith("protocol ", pos);
            boolean isInterface = !isProtocol && text.startsWith("interface ", pos);
            if ((isProtocol || isInterface) && open != null) {
                open.end = pos;
                open = null;
            }
            if (isProtocol) {
                protocol = field(text, pos, end, 1, sourceName);
            } else if (isInterface) {
                if (protocol == null) {
                    throw new ProtocolException(sourceName, sourceName + ":" + lineOf(text, pos) + ": interface before any protocol line");
                }
                String name = field(text, pos, end, 1, sourceName);
                String version = field(text, pos, end, 2, sourceName);
                try {
                    open = new Entry(sourceName, text, name, Integer.parseInt(version), protocol, pos);
                } catch (NumberFormatException e) {
                    throw new ProtocolException(sourceName, sourceName + ":" + lineOf(text, pos) + ": '" + version + "' is not a number");
                }
                entries.add(open);
            } else if (text.startsWith("#", pos)) {
                comments.add(text.substring(pos + 1, end).strip());
            } else if (open == null && end > pos) {
                throw new ProtocolException(sourceName, sourceName + ":" + lineOf(text, pos) + ": "
                        + text.substring(pos, end).split(" ", 2)[0] + " outside an interface");
            }
            pos = end + 1;
        }
        if (open != null) {
            open.end = text.length();
        }
        return new ProtocolTable(entries, comments);
    }

    /** Every interface of the table, in table order, without reading their messages. */
    public List<Entry> entries() {
        return entries;
    }

    /** Every interface, in table order, each read and frozen. */
    public List<Interface> interfaces() {
        List<Interface> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(e.get());
        }
        return out;
    }

    /** The comment lines, without their {@code #}: what the table was generated from, and how conflicts were settled. */
    public List<String> comments() {
        return comments;
    }

    /** The {@code index}th space-separated field of the line [start, end). */
    private static String field(String text, int start, int end, int index, String source) {
        int from = start;
        for (int i = 0; i < index; i++) {
            from = text.indexOf(' ', from) + 1;
            if (from <= 0 || from >= end) {
                throw new ProtocolException(source, source + ":" + lineOf(text, start) + ": line needs at least " + (index + 1) + " fields");
            }
        }
        int to = text.indexOf(' ', from);
        return text.substring(from, to < 0 || to > end ? end : to);
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
            line++;
        }
        return line;
    }

    /** One interface of the table: known by name, version and protocol at once; its messages read on first use. */
    public static final class Entry implements InterfaceSource {
        private final String source;
        private final String text;
        private final String name;
        private final int version;
        private final String protocolName;
        private final int start;
        private int end;
        private volatile Interface decoded;

        private Entry(String source, String text, String name, int version, String protocolName, int start) {
            this.source = source;
            this.text = text;
            this.name = name;
            this.version = version;
            this.protocolName = protocolName;
            this.start = start;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int version() {
            return version;
        }

        @Override
        public String protocolName() {
            return protocolName;
        }

        /** The interface, read from the table once; every call returns the same instance. */
        @Override
        public Interface get() {
            Interface i = decoded;
            if (i == null) {
                synchronized (this) {
                    i = decoded;
                    if (i == null) {
                        i = new Reader(source, text, start, new Interface(name, version, protocolName)).read(end);
                        decoded = i;
                    }
                }
            }
            return i;
        }
    }

    /** Reads the message and enum lines of one interface; every error names the line. */
    private static final class Reader {
        private final String source;
        private final String text;
        private final int start;
        private final Interface current;
        private final Map<String, EnumSpec> enums = new LinkedHashMap<>();
        private int lineStart;

        Reader(String source, String text, int start, Interface current) {
            this.source = source;
            this.text = text;
            this.start = start;
            this.current = current;
        }

        Interface read(int end) {
            // The first line is the interface line itself.
            int pos = text.indexOf('\n', start) + 1;
            while (pos > 0 && pos < end) {
                int lineEnd = text.indexOf('\n', pos);
                if (lineEnd < 0 || lineEnd > end) {
                    lineEnd = end;
                }
                lineStart = pos;
                if (lineEnd > pos && text.charAt(pos) != '#') {
                    line(tokens(text.substring(pos, lineEnd)));
                }
                pos = lineEnd + 1;
            }
            current.freeze(enums);
            return current;
        }

        private void line(String[] t) {
            switch (t[0]) {
                case "request", "event" -> message(t, t[0].equals("request"));
                case "enum" -> enumLine(t);
                default -> throw error("unknown line kind '" + t[0] + "'");
            }
        }

        private void message(String[] t, boolean request) {
            need(t, 3);
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
            return new ProtocolException(source, source + ":" + lineOf(text, lineStart) + ": " + detail);
        }
    }
}
