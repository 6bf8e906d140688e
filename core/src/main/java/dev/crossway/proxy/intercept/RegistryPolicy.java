package dev.crossway.proxy.intercept;

import dev.crossway.protocol.Arg;
import dev.crossway.protocol.ArgType;
import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.protocol.Schema;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which host globals guest clients see, and at which version. A global is shown when, in this order:
 * <ol>
 * <li>its interface is in the schema (the built-in protocol table plus {@code --protocol-dir});</li>
 * <li>it is not denied, and the allow list, when there is one, names it;</li>
 * <li>its {@link GlobalClass} is ordinary, or its class or its own name is granted;</li>
 * <li>every fd-carrying message reachable from it (through the interfaces its messages create) can be
 * carried: an fd nobody can carry across would break the client later, so the global is hidden up front.</li>
 * </ol>
 * The version shown is the highest both sides know, min(schema, host), lowered by a configured cap.
 */
public final class RegistryPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryPolicy.class);

    /**
     * What the configuration says about globals.
     *
     * @param grant       privileged classes ({@code screen-capture}) and interfaces to show all the same
     * @param allow       if not empty, only these interfaces are shown
     * @param deny        never shown
     * @param maxVersions highest version to show, per interface
     */
    public record Rules(Set<String> grant, Set<String> allow, Set<String> deny, Map<String, Integer> maxVersions) {
        public static final Rules NONE = new Rules(Set.of(), Set.of(), Set.of(), Map.of());

        public Rules {
            grant = Set.copyOf(grant);
            allow = Set.copyOf(allow);
            deny = Set.copyOf(deny);
            maxVersions = Map.copyOf(maxVersions);
        }
    }

    /**
     * The outcome for one global.
     *
     * @param globalClass its class, or null when the interface is unknown or unclassified
     * @param reason      why a hidden one is hidden, with the option that would change it; null when shown
     */
    public record Decision(boolean shown, int version, GlobalClass globalClass, String reason) {
        static Decision hidden(GlobalClass globalClass, String reason) {
            return new Decision(false, 0, globalClass, reason);
        }
    }

    private final Schema schema;
    private final GlobalClasses classes;
    private final Rules rules;
    private final Predicate<MessageSpec> fdHandled;
    private final Map<String, String> unhandledFdCache = new ConcurrentHashMap<>();
    private final Set<String> explained = ConcurrentHashMap.newKeySet();

    /**
     * @param fdHandled whether an fd-carrying message can be carried to or from the host
     */
    public RegistryPolicy(Schema schema, GlobalClasses classes, Rules rules, Predicate<MessageSpec> fdHandled) {
        this.schema = schema;
        this.classes = classes;
        this.rules = rules;
        this.fdHandled = fdHandled;
    }

    /** The built-in classes with nothing granted: only ordinary globals, filtered by {@code allow} and {@code deny}. */
    public RegistryPolicy(Schema schema, Set<String> allow, Set<String> deny, Map<String, Integer> versionCaps,
                          Predicate<MessageSpec> fdHandled) {
        this(schema, GlobalClasses.builtIn(), new Rules(Set.of(), allow, deny, versionCaps), fdHandled);
    }

    public Decision decide(String interfaceName, int hostVersion) {
        Interface iface = schema.find(interfaceName);
        if (iface == null) {
            return Decision.hidden(null, "unknown interface: neither the built-in protocol table nor --protocol-dir"
                    + " declares it; add the XML of its protocol with --protocol-dir DIR (crossway.protocol-dirs)");
        }
        GlobalClass globalClass = classes.classOf(iface);
        if (rules.deny().contains(interfaceName)) {
            return Decision.hidden(globalClass, "denied by --deny (crossway.globals.deny)");
        }
        if (!rules.allow().isEmpty() && !rules.allow().contains(interfaceName)) {
            return Decision.hidden(globalClass, "not in --allow (crossway.globals.allow)");
        }
        boolean grantedByName = rules.grant().contains(interfaceName);
        if (globalClass == null && !grantedByName) {
            return Decision.hidden(null, "no class is known for it (protocol " + iface.protocolName()
                    + ", from --protocol-dir), so it counts as privileged; show it with --grant " + interfaceName);
        }
        if (globalClass != null && globalClass.isPrivileged() && !grantedByName
                && !rules.grant().contains(globalClass.configName())) {
            return Decision.hidden(globalClass, "privileged, class " + globalClass + " (" + globalClass.meaning()
                    + "); show it with --grant " + globalClass + " or --grant " + interfaceName);
        }
        String unhandled = unhandledFdCache.computeIfAbsent(interfaceName, n -> firstUnhandledFd(iface));
        if (!unhandled.isEmpty()) {
            return Decision.hidden(globalClass, "the transport cannot carry the fd of " + unhandled);
        }
        int version = Math.min(iface.version(), hostVersion);
        Integer cap = rules.maxVersions().get(interfaceName);
        if (cap != null) {
            version = Math.min(version, cap);
        }
        if (version < 1) {
            return Decision.hidden(globalClass, "version cap " + cap + " leaves nothing (crossway.globals.max-versions)");
        }
        return new Decision(true, version, globalClass, null);
    }

    /**
     * Logs why a global is hidden, once per interface for the life of this policy (every client hears every
     * global). Returns whether it logged now.
     */
    public boolean explain(String interfaceName, Decision d) {
        if (!d.shown() && explained.add(interfaceName)) {
            LOG.info("hiding {} from guest apps: {}", interfaceName, d.reason());
            return true;
        }
        return false;
    }

    /** Entries of the grant list that are neither a class nor an interface of the schema, each with a message. */
    public List<String> unknownGrants() {
        List<String> out = new ArrayList<>();
        for (String g : rules.grant()) {
            if (GlobalClass.ofConfigName(g) == null && schema.find(g) == null) {
                out.add("--grant " + g + ": neither a class (" + GlobalClass.privilegedNames()
                        + ") nor an interface Crossway knows; it grants nothing");
            }
        }
        out.sort(null);
        return out;
    }

    /** The first fd-carrying message reachable from {@code root} that has no handler, or "". */
    private String firstUnhandledFd(Interface root) {
        Deque<Interface> todo = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        todo.add(root);
        seen.add(root.name());
        while (!todo.isEmpty()) {
            Interface i = todo.poll();
            for (var list : List.of(i.requests(), i.events())) {
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
