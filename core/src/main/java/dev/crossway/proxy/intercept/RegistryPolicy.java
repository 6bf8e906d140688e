package dev.crossway.proxy.intercept;

import dev.crossway.protocol.Arg;
import dev.crossway.protocol.ArgType;
import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.protocol.Schema;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Which host globals guest clients see, and at which version.
 *
 * <p>A global is shown when its interface is in the schema, passes the allow and deny lists, and every
 * fd-carrying message reachable from it (through the interfaces its messages create) has a handler:
 * an fd nobody can carry across would break the client later, so the global is hidden up front. The
 * version shown is min(schema, host, configured cap).
 */
public final class RegistryPolicy {

    /** The outcome for one global; {@code reason} says why a hidden one is hidden. */
    public record Decision(boolean shown, int version, String reason) {
        static Decision hidden(String reason) {
            return new Decision(false, 0, reason);
        }
    }

    private final Schema schema;
    private final Set<String> allow;
    private final Set<String> deny;
    private final Map<String, Integer> versionCaps;
    private final Predicate<MessageSpec> fdHandled;
    private final Map<String, String> unhandledFdCache = new ConcurrentHashMap<>();

    /**
     * @param allow       if not empty, only these interfaces are shown
     * @param deny        never shown
     * @param versionCaps highest version to show, per interface
     * @param fdHandled   whether an fd-carrying message can be carried to or from the host
     */
    public RegistryPolicy(Schema schema, Set<String> allow, Set<String> deny, Map<String, Integer> versionCaps,
                          Predicate<MessageSpec> fdHandled) {
        this.schema = schema;
        this.allow = Set.copyOf(allow);
        this.deny = Set.copyOf(deny);
        this.versionCaps = Map.copyOf(versionCaps);
        this.fdHandled = fdHandled;
    }

    public Decision decide(String interfaceName, int hostVersion) {
        Interface iface = schema.find(interfaceName);
        if (iface == null) {
            return Decision.hidden("not in the protocol schema (add its XML with --protocol-dir)");
        }
        if (deny.contains(interfaceName)) {
            return Decision.hidden("denied by configuration");
        }
        if (!allow.isEmpty() && !allow.contains(interfaceName)) {
            return Decision.hidden("not in the allow list");
        }
        String unhandled = unhandledFdCache.computeIfAbsent(interfaceName, n -> firstUnhandledFd(iface));
        if (!unhandled.isEmpty()) {
            return Decision.hidden("no handler for the fd in " + unhandled);
        }
        int version = Math.min(iface.version(), hostVersion);
        Integer cap = versionCaps.get(interfaceName);
        if (cap != null) {
            version = Math.min(version, cap);
        }
        if (version < 1) {
            return Decision.hidden("version cap " + cap + " leaves nothing");
        }
        return new Decision(true, version, null);
    }

    /** The first fd-carrying message reachable from {@code root} that has no handler, or "". */
    private String firstUnhandledFd(Interface root) {
        Deque<Interface> todo = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        todo.add(root);
        seen.add(root.name());
        while (!todo.isEmpty()) {
            Interface i = todo.poll();
            for (var list : java.util.List.of(i.requests(), i.events())) {
                for (MessageSpec m : list) {
                    if (m.fdCount() > 0 && !fdHandled.test(m)) {
                        return m.qualifiedName();
                    }
                    for (Arg a : m.args()) {
                        if (a.type() == ArgType.NEW_ID && a.interfaceName() != null && seen.add(a.interfaceName())) {
                            Interface child = schema.find(a.interfaceName());
                            if (child != null) {
                                todo.add(child);
                            }
                        }
                    }
                }
            }
        }
        return "";
    }
}
