package dev.crossway.protocol;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * All interfaces Crossway knows, by name. Built by {@link SchemaLoader} from protocol XML.
 */
public final class Schema {
    private final Map<String, Interface> byName;

    public Schema(Collection<Interface> interfaces) {
        Map<String, Interface> m = new LinkedHashMap<>();
        for (Interface i : interfaces) {
            m.put(i.name(), i);
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    /**
     * This schema plus {@code extra}, as a new schema. An interface whose name this schema already has is
     * left out, so what was loaded from XML always wins over what code adds (such as aliases).
     */
    public Schema withInterfaces(Collection<Interface> extra) {
        Map<String, Interface> m = new LinkedHashMap<>(byName);
        for (Interface i : extra) {
            m.putIfAbsent(i.name(), i);
        }
        return new Schema(m.values());
    }

    /** The interface with this name, or null. */
    public Interface find(String name) {
        return byName.get(name);
    }

    /** The interface with this name; throws with a clear message if the schema lacks it. */
    public Interface require(String name) {
        Interface i = byName.get(name);
        if (i == null) {
            throw new IllegalStateException("protocol schema has no interface '" + name
                    + "': is the protocol XML that declares it installed (libwayland-dev, wayland-protocols)"
                    + " or listed in crossway.protocol-dirs?");
        }
        return i;
    }

    public Collection<Interface> interfaces() {
        return byName.values();
    }

    public int size() {
        return byName.size();
    }
}
