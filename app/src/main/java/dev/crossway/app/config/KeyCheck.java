package dev.crossway.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Finds settings nobody reads: a misspelt key ({@code crossway.memry = separate}) or variable
 * ({@code CROSSWAY_MEMRY}) would otherwise be ignored in silence. Each gets a warning that names where
 * it was set and the nearest known key.
 *
 * <p>A key is known when {@code reference.conf} has it. An empty object there ({@code max-versions {}})
 * is an open map whose keys anyone may choose; {@code transports} is checked against the transports
 * found and the options each declares.
 */
final class KeyCheck {
    private static final String TRANSPORTS = "transports";

    private final Config reference;
    private final Map<String, Set<String>> transportKeys;
    private final Consumer<String> warnings;
    /** Every known leaf key, for suggestions. */
    private final Set<String> known = new TreeSet<>();

    /**
     * @param reference     {@code reference.conf}'s {@code crossway} object
     * @param transportKeys the option keys of each transport found, by transport name
     */
    KeyCheck(Config reference, Map<String, Set<String>> transportKeys, Consumer<String> warnings) {
        this.reference = reference;
        this.transportKeys = transportKeys;
        this.warnings = warnings;
        reference.entrySet().forEach(e -> known.add(e.getKey()));
        transportKeys.forEach((name, keys) -> keys.forEach(k -> known.add(ConfigUtil.joinPath(TRANSPORTS, name, k))));
    }

    /** Warns about every key of {@code merged} (the merged {@code crossway} object) that nothing reads. */
    void check(Config merged) {
        for (var e : merged.entrySet()) {
            String key = e.getKey();
            if (!isKnown(ConfigUtil.splitPath(key))) {
                warnings.accept(describe(key, e.getValue().origin()));
            }
        }
    }

    private boolean isKnown(List<String> path) {
        if (path.get(0).equals(TRANSPORTS) && path.size() >= 3) {
            Set<String> keys = transportKeys.get(path.get(1));
            return keys != null && path.size() == 3 && keys.contains(path.get(2));
        }
        String key = ConfigUtil.joinPath(path);
        if (reference.hasPathOrNull(key)) {
            return true;
        }
        for (int n = path.size() - 1; n >= 1; n--) {
            String parent = ConfigUtil.joinPath(path.subList(0, n));
            if (reference.hasPath(parent) && reference.getValue(parent).valueType() == ConfigValueType.OBJECT) {
                return reference.getConfig(parent).isEmpty(); // an open map
            }
        }
        return false;
    }

    private String describe(String key, ConfigOrigin origin) {
        String description = origin.description();
        boolean fromEnv = description.startsWith("CROSSWAY_");
        List<String> path = ConfigUtil.splitPath(key);
        String what;
        if (path.get(0).equals(TRANSPORTS) && path.size() >= 2 && !transportKeys.containsKey(path.get(1))) {
            what = "there is no transport named '" + path.get(1) + "' (found: " + String.join(", ", transportKeys.keySet()) + ")";
        } else {
            what = "unknown setting";
        }
        String suggestion = nearest(key);
        String named = fromEnv ? description : "crossway." + key;
        StringBuilder sb = new StringBuilder(ConfigLoader.place(origin)).append(named).append(": ").append(what).append(" (ignored)");
        if (suggestion != null) {
            sb.append("; did you mean ").append(fromEnv ? ConfigLoader.envVariable(suggestion) : "crossway." + suggestion).append('?');
        }
        return sb.toString();
    }

    /** The known key closest to {@code key} by edit distance, if close enough to be a slip; else null. */
    String nearest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        // A slip: a few letters wrong, relative to the key's length.
        return best != null && bestDistance <= Math.max(1, Math.min(3, key.length() / 3)) ? best : null;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
