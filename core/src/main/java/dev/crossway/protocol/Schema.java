package dev.crossway.protocol;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * All interfaces Crossway knows, by name. Built by {@link SchemaLoader} from the built-in
 * {@link ProtocolTable} and protocol XML; an interface of the table is read when first looked up.
 */
public final class Schema {
    private final Map<String, InterfaceSource> byName;

    public Schema(Collection<Interface> interfaces) {
        this(index(interfaces));
    }

    private Schema(Map<String, InterfaceSource> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** A schema of these interfaces, some perhaps not read yet; a later one replaces an earlier one of the same name. */
    static Schema of(Collection<? extends InterfaceSource> sources) {
        return new Schema(index(sources));
    }

    private static Map<String, InterfaceSource> index(Collection<? extends InterfaceSource> sources) {
        Map<String, InterfaceSource> m = new LinkedHashMap<>();
        for (InterfaceSource i : sources) {
            m.put(i.name(), i);
        }
        return m;
    }

    /**
     * This schema plus {@code extra}, as a new schema. An interface whose name this schema already has is
     * left out, so what was loaded from XML always wins over what code adds (such as aliases).
     */
    public Schema withInterfaces(Collection<Interface> extra) {
        Map<String, InterfaceSource> m = new LinkedHashMap<>(byName);
        for (Interface i : extra) {
            m.putIfAbsent(i.name(), i);
        }
        return new Schema(m);
    }

    /** The interface with this name, or null. */
    public Interface find(String name) {
        InterfaceSource i = byName.get(name);
        return i == null ? null : i.get();
    }

    /** The interface with this name; throws with a clear message if the schema lacks it. */
    public Interface require(String name) {
        Interface i = find(name);
        if (i == null) {
            throw new IllegalStateException("protocol schema has no interface '" + name
                    + "': add the XML of its protocol with --protocol-dir (crossway.protocol-dirs)");
        }
        return i;
    }

    /** Every interface, each read if it was not yet. */
    public Collection<Interface> interfaces() {
        return byName.values().stream().map(InterfaceSource::get).toList();
    }

    public int size() {
        return byName.size();
    }
}
