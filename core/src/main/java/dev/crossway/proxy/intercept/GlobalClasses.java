package dev.crossway.proxy.intercept;

import dev.crossway.protocol.Interface;
import dev.crossway.protocol.ProtocolTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The class of every known interface, read from the reviewable data file {@value #RESOURCE} beside this
 * class: {@code protocol NAME CLASS} lines give all of a protocol's interfaces a class, and
 * {@code interface NAME CLASS} lines override that for one interface.
 *
 * <p>An interface of the built-in protocol table keeps the class of the protocol the table puts it in, even
 * when XML from {@code --protocol-dir} replaces it under another protocol name: adding XML never changes
 * what a global may do.
 */
public final class GlobalClasses {
    public static final String RESOURCE = "global-classes.txt";

    private final Map<String, GlobalClass> byProtocol;
    private final Map<String, GlobalClass> byInterface;
    /** Interface name to the protocol the built-in table declares it in. */
    private final Map<String, String> builtInProtocols = new HashMap<>();

    private GlobalClasses(Map<String, GlobalClass> byProtocol, Map<String, GlobalClass> byInterface, ProtocolTable table) {
        this.byProtocol = Collections.unmodifiableMap(byProtocol);
        this.byInterface = Collections.unmodifiableMap(byInterface);
        for (ProtocolTable.Entry e : table.entries()) {
            builtInProtocols.put(e.name(), e.protocolName());
        }
    }

    /** The classification built into this module. */
    public static GlobalClasses builtIn() {
        try (InputStream in = GlobalClasses.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the crossway-core module has no " + RESOURCE);
            }
            return parse(RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8), ProtocolTable.builtIn());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e, e);
        }
    }

    /** Reads the data format, for the interfaces of {@code table}; an error names the line. */
    public static GlobalClasses parse(String source, String text, ProtocolTable table) {
        Map<String, GlobalClass> protocols = new LinkedHashMap<>();
        Map<String, GlobalClass> interfaces = new LinkedHashMap<>();
        int lineNo = 0;
        for (String raw : text.split("\n", -1)) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] t = line.split("\\s+");
            GlobalClass c = t.length == 3 ? GlobalClass.ofConfigName(t[2]) : null;
            Map<String, GlobalClass> target = t[0].equals("protocol") ? protocols : t[0].equals("interface") ? interfaces : null;
            if (target == null || c == null) {
                throw new IllegalArgumentException(source + ":" + lineNo + ": expected 'protocol|interface NAME CLASS' with CLASS one of "
                        + GlobalClass.ORDINARY + ", " + GlobalClass.privilegedNames() + "; found '" + line + "'");
            }
            if (target.put(t[1], c) != null) {
                throw new IllegalArgumentException(source + ":" + lineNo + ": " + t[1] + " is classified twice");
            }
        }
        return new GlobalClasses(protocols, interfaces, table);
    }

    /**
     * The class of {@code iface}: its own line, else that of its protocol in the built-in table, else that of
     * the protocol it was loaded from; null when the data names none of these.
     */
    public GlobalClass classOf(Interface iface) {
        GlobalClass own = byInterface.get(iface.name());
        if (own != null) {
            return own;
        }
        String protocol = builtInProtocols.getOrDefault(iface.name(), iface.protocolName());
        return byProtocol.get(protocol);
    }

    /** Protocol name to class, in file order. */
    public Map<String, GlobalClass> protocols() {
        return byProtocol;
    }

    /** Interface name to class, for the interfaces classified on their own. */
    public Map<String, GlobalClass> interfaces() {
        return byInterface;
    }
}
