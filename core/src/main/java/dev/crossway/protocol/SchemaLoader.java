package dev.crossway.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@link Schema}: Crossway's built-in {@link ProtocolTable} plus protocol XML from directories the
 * user names, and reads protocol XML into {@link Interface}s (for those directories and for the table's
 * generator).
 *
 * <p>Unlike wayland-scanner, which may abort on bad input at compile time, this runs inside the daemon, so
 * every failure is a {@link ProtocolException} naming the file, line, element and attribute.
 */
public final class SchemaLoader {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaLoader.class);
    private static final String BUILT_IN = "the built-in table";

    private SchemaLoader() {
    }

    /** The built-in protocol table alone. */
    public static Schema loadBundled() {
        return load(List.of());
    }

    /**
     * The built-in protocol table plus every {@code *.xml} found recursively under each directory, in order.
     * When two declare the same interface, the higher version wins (ties keep the earlier one, so the table
     * wins a tie), so a user directory can add a protocol or upgrade a built-in one.
     *
     * @throws ProtocolException when a directory does not exist or any file is invalid
     */
    public static Schema load(List<Path> extraDirs) {
        long start = System.nanoTime();
        // List the user's directories before reading anything, so a typo in the configuration fails first.
        List<Path> extraFiles = new ArrayList<>();
        for (Path dir : extraDirs) {
            extraFiles.addAll(findXml(dir));
        }
        Merger merger = new Merger();
        merger.add(BUILT_IN, ProtocolTable.builtIn().entries());
        XMLInputFactory factory = extraFiles.isEmpty() ? null : newFactory();
        for (Path file : extraFiles) {
            String name = file.toString();
            try (InputStream in = Files.newInputStream(file)) {
                merger.add(name, parse(factory, name, in));
            } catch (IOException e) {
                throw new ProtocolException(name, name + ": cannot read: " + e, e);
            }
        }
        Schema schema = Schema.of(merger.byName.values());
        LOG.info("schema ready: {} interfaces from the built-in table and {} protocol files from {} in {} ms",
                schema.size(), extraFiles.size(), extraDirs, (System.nanoTime() - start) / 1_000_000);
        return schema;
    }

    /** The built-in table with {@code extra} merged on top, as {@link #load} merges a directory's files. */
    static Schema withExtra(String source, List<? extends InterfaceSource> extra) {
        Merger merger = new Merger();
        merger.add(BUILT_IN, ProtocolTable.builtIn().entries());
        merger.add(source, extra);
        return Schema.of(merger.byName.values());
    }

    /**
     * Parses one protocol file.
     *
     * @param sourceName how errors name the file, e.g. {@code wayland.xml}
     * @return the file's interfaces in declaration order, each frozen
     * @throws ProtocolException when the file is malformed or invalid
     */
    public static List<Interface> parse(String sourceName, InputStream in) {
        return parse(newFactory(), sourceName, in);
    }

    /** {@link #parse(String, InputStream)} with a factory made once, for many files (and the fuzz harness). */
    static List<Interface> parse(XMLInputFactory factory, String sourceName, InputStream in) {
        XMLStreamReader reader = null;
        try {
            reader = factory.createXMLStreamReader(in);
            return new FileParser(sourceName, reader).parseProtocol();
        } catch (XMLStreamException e) {
            String where = e.getLocation() == null ? sourceName : sourceName + ":" + e.getLocation().getLineNumber()
                    + ":" + e.getLocation().getColumnNumber();
            throw new ProtocolException(sourceName, where + ": malformed XML: " + stripLocation(e.getMessage()), e);
        } finally {
            if (reader != null) {
                try {
                    reader.close();
                } catch (XMLStreamException ignored) {
                    // Closing releases parser state only; the stream is closed by the caller.
                }
            }
        }
    }

    /** The JDK's StAX prefixes messages with "ParseError at [row,col]:[..]\nMessage: "; we print our own location. */
    private static String stripLocation(String message) {
        if (message == null) {
            return "unknown error";
        }
        int i = message.indexOf("Message: ");
        return i >= 0 ? message.substring(i + "Message: ".length()).strip() : message.strip();
    }

    /** The JDK's own StAX parser, with DTDs and external entities off: protocol XML needs neither. */
    static XMLInputFactory newFactory() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return f;
    }

    private static List<Path> findXml(Path dir) {
        if (!Files.exists(dir)) {
            throw new ProtocolException(dir.toString(), "protocol directory '" + dir + "' does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new ProtocolException(dir.toString(), "protocol directory '" + dir + "' is not a directory");
        }
        // Follow links: users often symlink a checkout of a protocol repository into their directory.
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".xml") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new ProtocolException(dir.toString(), "cannot list protocol directory '" + dir + "': " + e, e);
        }
    }

    /** Keeps one interface per name: the highest version, or the first seen on a tie. */
    private static final class Merger {
        final Map<String, InterfaceSource> byName = new LinkedHashMap<>();
        final Map<String, String> origin = new HashMap<>();

        void add(String source, List<? extends InterfaceSource> interfaces) {
            for (InterfaceSource i : interfaces) {
                InterfaceSource old = byName.get(i.name());
                if (old == null) {
                    byName.put(i.name(), i);
                    origin.put(i.name(), source);
                } else if (i.version() > old.version()) {
                    LOG.debug("interface {}: v{} from {} replaces v{} from {}",
                            i.name(), i.version(), source, old.version(), origin.get(i.name()));
                    byName.put(i.name(), i);
                    origin.put(i.name(), source);
                } else {
                    LOG.debug("interface {}: keeping v{} from {}, ignoring v{} from {}",
                            i.name(), old.version(), origin.get(i.name()), i.version(), source);
                }
            }
        }
    }

    /**
     * Parses one file. Tracks the enclosing interface, message and child so each error can say where it is,
     * e.g. {@code interface wl_surface, request attach, arg 'x'}.
     */
    private static final class FileParser {
        private final String source;
        private final XMLStreamReader r;
        private String interfaceCtx;
        private String messageCtx;
        private String childCtx;

        FileParser(String source, XMLStreamReader r) {
            this.source = source;
            this.r = r;
        }

        List<Interface> parseProtocol() throws XMLStreamException {
            while (r.hasNext() && r.next() != XMLStreamConstants.START_ELEMENT) {
                // Skip the prolog: declaration, comments.
            }
            if (!r.isStartElement() || !r.getLocalName().equals("protocol")) {
                throw error("root element must be <protocol>, found "
                        + (r.isStartElement() ? "<" + r.getLocalName() + ">" : "none"));
            }
            String protocolName = required("name");
            List<Interface> interfaces = new ArrayList<>();
            while (nextChild()) {
                if (r.getLocalName().equals("interface")) {
                    interfaces.add(parseInterface(protocolName, interfaces.size()));
                } else {
                    skipElement(); // copyright, description
                }
            }
            return interfaces;
        }

        private Interface parseInterface(String protocolName, int index) throws XMLStreamException {
            String name = r.getAttributeValue(null, "name");
            interfaceCtx = "interface " + (name != null ? name : "#" + index);
            if (name == null) {
                throw missing("name");
            }
            int version = positiveInt("version", r.getAttributeValue(null, "version"), -1);
            if (version < 0) {
                throw missing("version");
            }
            Interface iface = new Interface(name, version, protocolName);
            Map<String, EnumSpec> enums = new LinkedHashMap<>();
            while (nextChild()) {
                switch (r.getLocalName()) {
                    case "request" -> parseMessage(iface, true);
                    case "event" -> parseMessage(iface, false);
                    case "enum" -> {
                        EnumSpec e = parseEnum(enums.size());
                        if (enums.putIfAbsent(e.name(), e) != null) {
                            throw error("duplicate enum name");
                        }
                    }
                    default -> skipElement(); // description
                }
                messageCtx = null;
                childCtx = null;
            }
            iface.freeze(enums);
            interfaceCtx = null;
            return iface;
        }

        private void parseMessage(Interface iface, boolean request) throws XMLStreamException {
            String kind = request ? "request" : "event";
            int opcode = (request ? iface.requests() : iface.events()).size();
            String name = r.getAttributeValue(null, "name");
            messageCtx = kind + " " + (name != null ? name : "#" + opcode);
            if (name == null) {
                throw missing("name");
            }
            String type = r.getAttributeValue(null, "type");
            if (type != null && !type.equals("destructor")) {
                throw error("attribute 'type' has unknown value '" + type + "' (only 'destructor' is allowed)");
            }
            int since = positiveInt("since", r.getAttributeValue(null, "since"), 1);
            if (since > iface.version()) {
                throw error("attribute 'since' is " + since + ", above the interface version " + iface.version());
            }
            List<Arg> args = new ArrayList<>();
            while (nextChild()) {
                if (r.getLocalName().equals("arg")) {
                    args.add(parseArg(args.size()));
                } else {
                    skipElement(); // description
                }
                childCtx = null;
            }
            iface.add(name, request, since, type != null, args);
        }

        private Arg parseArg(int index) throws XMLStreamException {
            String name = r.getAttributeValue(null, "name");
            childCtx = name != null ? "arg '" + name + "'" : "arg #" + index;
            if (name == null) {
                throw missing("name");
            }
            String typeName = required("type");
            ArgType type = ArgType.ofXmlName(typeName);
            if (type == null) {
                throw error("unknown type '" + typeName + "' (attribute 'type'; expected one of "
                        + "int, uint, fixed, string, object, new_id, array, fd)");
            }
            String interfaceName = r.getAttributeValue(null, "interface");
            if (interfaceName != null && type != ArgType.OBJECT && type != ArgType.NEW_ID) {
                throw error("attribute 'interface' is only allowed on object and new_id, not " + typeName);
            }
            boolean nullable = bool("allow-null");
            if (nullable && !(type == ArgType.STRING || type == ArgType.OBJECT || type == ArgType.NEW_ID
                    || type == ArgType.ARRAY)) {
                throw error("attribute 'allow-null' is only allowed on string, object, new_id and array, not "
                        + typeName);
            }
            String enumName = r.getAttributeValue(null, "enum");
            if (enumName != null && type != ArgType.INT && type != ArgType.UINT) {
                throw error("attribute 'enum' is only allowed on int and uint, not " + typeName);
            }
            skipElement(); // description
            return new Arg(name, type, interfaceName, nullable, enumName);
        }

        private EnumSpec parseEnum(int index) throws XMLStreamException {
            String name = r.getAttributeValue(null, "name");
            messageCtx = "enum " + (name != null ? name : "#" + index);
            if (name == null) {
                throw missing("name");
            }
            boolean bitfield = bool("bitfield");
            Map<String, Long> entries = new LinkedHashMap<>();
            while (nextChild()) {
                if (r.getLocalName().equals("entry")) {
                    String entryName = r.getAttributeValue(null, "name");
                    childCtx = "entry " + (entryName != null ? "'" + entryName + "'" : "#" + entries.size());
                    if (entryName == null) {
                        throw missing("name");
                    }
                    long value = enumValue(required("value"));
                    if (entries.putIfAbsent(entryName, value) != null) {
                        throw error("duplicate entry name");
                    }
                }
                skipElement(); // the entry's description, or a <description> of the enum
                childCtx = null;
            }
            return new EnumSpec(name, bitfield, entries);
        }

        /** Decimal or {@code 0x} hex, as wayland-scanner accepts; must fit the 32-bit wire value. */
        private long enumValue(String text) {
            long v;
            try {
                v = text.startsWith("0x") || text.startsWith("0X")
                        ? Long.parseLong(text.substring(2), 16)
                        : Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw error("attribute 'value' is not a decimal or 0x-hex number: '" + text + "'");
            }
            if (v < Integer.MIN_VALUE || v > 0xFFFF_FFFFL) {
                throw error("attribute 'value' does not fit in 32 bits: '" + text + "'");
            }
            return v;
        }

        private int positiveInt(String attribute, String text, int absent) {
            if (text == null) {
                return absent;
            }
            try {
                int v = Integer.parseInt(text.strip());
                if (v >= 1) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // Reported below with the same message as a non-positive value.
            }
            throw error("attribute '" + attribute + "' is not a positive integer: '" + text + "'");
        }

        private boolean bool(String attribute) {
            String text = r.getAttributeValue(null, attribute);
            if (text == null || text.equals("false")) {
                return false;
            }
            if (text.equals("true")) {
                return true;
            }
            throw error("attribute '" + attribute + "' must be 'true' or 'false', not '" + text + "'");
        }

        private String required(String attribute) {
            String v = r.getAttributeValue(null, attribute);
            if (v == null) {
                throw missing(attribute);
            }
            return v;
        }

        /** Moves to the next child element of the current one; false at the current element's end tag. */
        private boolean nextChild() throws XMLStreamException {
            while (r.hasNext()) {
                int event = r.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    return true;
                }
                if (event == XMLStreamConstants.END_ELEMENT) {
                    return false;
                }
            }
            return false;
        }

        /** Skips to the end tag of the current element, whatever it contains. */
        private void skipElement() throws XMLStreamException {
            int depth = 1;
            while (depth > 0 && r.hasNext()) {
                int event = r.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    depth--;
                }
            }
        }

        private ProtocolException missing(String attribute) {
            return error("missing attribute '" + attribute + "'");
        }

        private ProtocolException error(String detail) {
            StringBuilder where = new StringBuilder(source).append(':').append(r.getLocation().getLineNumber());
            String sep = ": ";
            for (String ctx : new String[] {interfaceCtx, messageCtx, childCtx}) {
                if (ctx != null) {
                    where.append(sep).append(ctx);
                    sep = ", ";
                }
            }
            return new ProtocolException(source, where + ": " + detail);
        }
    }
}
