package dev.crossway.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code <interface>}: name, version, requests and events in opcode order, enums.
 *
 * <p>Built by {@link SchemaLoader}; messages are added while parsing, then the interface is frozen.
 */
public final class Interface implements InterfaceSource {
    private final String name;
    private final int version;
    private final String protocolName;
    private List<MessageSpec> requests = new ArrayList<>();
    private List<MessageSpec> events = new ArrayList<>();
    private Map<String, EnumSpec> enums = Map.of();
    private boolean frozen;

    public Interface(String name, int version, String protocolName) {
        this.name = name;
        this.version = version;
        this.protocolName = protocolName;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int version() {
        return version;
    }

    /** Name of the {@code <protocol>} that declared this interface. */
    @Override
    public String protocolName() {
        return protocolName;
    }

    /** This interface. */
    @Override
    public Interface get() {
        return this;
    }

    public List<MessageSpec> requests() {
        return Collections.unmodifiableList(requests);
    }

    public List<MessageSpec> events() {
        return Collections.unmodifiableList(events);
    }

    public Map<String, EnumSpec> enums() {
        return enums;
    }

    /** The request with this opcode, or null if out of range. */
    public MessageSpec request(int opcode) {
        return opcode >= 0 && opcode < requests.size() ? requests.get(opcode) : null;
    }

    /** The event with this opcode, or null if out of range. */
    public MessageSpec event(int opcode) {
        return opcode >= 0 && opcode < events.size() ? events.get(opcode) : null;
    }

    /** A request or event by name, or null. */
    public MessageSpec message(boolean request, String messageName) {
        for (MessageSpec m : request ? requests : events) {
            if (m.name().equals(messageName)) {
                return m;
            }
        }
        return null;
    }

    /** Adds the next request or event; its opcode must be the next free one. Used by the loader only. */
    public MessageSpec add(String messageName, boolean request, int since, boolean destructor, List<Arg> args) {
        if (frozen) {
            throw new IllegalStateException("interface " + name + " is frozen");
        }
        List<MessageSpec> list = request ? requests : events;
        MessageSpec spec = new MessageSpec(this, messageName, list.size(), request, since, destructor, args);
        list.add(spec);
        return spec;
    }

    /** Ends construction. Used by the loader only. */
    public void freeze(Map<String, EnumSpec> enumSpecs) {
        // Declaration order, not Map.copyOf's per-run order, so dumps are stable.
        this.enums = Collections.unmodifiableMap(new LinkedHashMap<>(enumSpecs));
        this.requests = List.copyOf(requests);
        this.events = List.copyOf(events);
        this.frozen = true;
    }

    @Override
    public String toString() {
        return name + " v" + version;
    }
}
