package dev.crossway.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Builds {@link Settings} from, highest precedence first: command-line overrides, {@code CROSSWAY_*}
 * environment variables, the user file ({@code ~/.config/crossway/crossway.conf} or {@code --config}),
 * the system file ({@code /etc/crossway/crossway.conf}), and {@code reference.conf}.
 */
public final class ConfigLoader {
    public static final Path SYSTEM_FILE = Path.of("/etc/crossway/crossway.conf");
    private static final String PREFIX = "crossway.";

    private ConfigLoader() {
    }

    public static Path userFile(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("crossway/crossway.conf");
    }

    /**
     * @param overrides  keys below {@code crossway.} (e.g. {@code host-display}) set on the command line;
     *                   list values as {@link List}
     * @param configFile a user file given explicitly, or null for the default location
     * @throws IllegalArgumentException naming the file, key and what is wrong
     */
    public static Settings load(Map<String, Object> overrides, Path configFile, Map<String, String> env) {
        Config reference = ConfigFactory.parseResources(ConfigLoader.class, "/reference.conf");
        if (reference.isEmpty()) {
            reference = ConfigFactory.parseResources("reference.conf");
        }
        Path user = configFile != null ? configFile : userFile(env);
        if (configFile != null && !Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException("config file " + configFile + " does not exist");
        }
        Config layered;
        try {
            layered = ConfigFactory.parseMap(prefixed(overrides), "command line")
                    .withFallback(ConfigFactory.parseMap(prefixed(fromEnv(env, reference)), "CROSSWAY_* environment variables"))
                    .withFallback(parseFile(user))
                    .withFallback(parseFile(SYSTEM_FILE))
                    .withFallback(reference)
                    .resolve();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        }
        try {
            return read(layered.getConfig("crossway"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        }
    }

    private static Config parseFile(Path file) {
        if (!Files.isRegularFile(file)) {
            return ConfigFactory.empty();
        }
        return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    }

    private static Map<String, Object> prefixed(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(PREFIX + k, v));
        return out;
    }

    /** CROSSWAY_HOST_DISPLAY → host-display; a double underscore descends a level; lists split on commas. */
    static Map<String, Object> fromEnv(Map<String, String> env, Config reference) {
        Map<String, Object> out = new TreeMap<>();
        for (var e : env.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("CROSSWAY_") || name.length() == "CROSSWAY_".length()) {
                continue;
            }
            String key = Arrays.stream(name.substring("CROSSWAY_".length()).split("__"))
                    .map(part -> part.toLowerCase(Locale.ROOT).replace('_', '-'))
                    .collect(Collectors.joining("."));
            boolean isList = reference.hasPath(PREFIX + key) && reference.getValue(PREFIX + key).valueType() == ConfigValueType.LIST;
            out.put(key, isList ? splitList(e.getValue()) : e.getValue());
        }
        return out;
    }

    private static List<String> splitList(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).collect(Collectors.toList());
    }

    private static Settings read(Config c) {
        Settings.Trace trace = enumValue(c, "trace", Settings.Trace.class);
        String memory = c.getString("memory");
        if (!memory.equals("shared") && !memory.equals("separate")) {
            throw new IllegalArgumentException("crossway.memory must be 'shared' or 'separate', not '" + memory + "'");
        }
        Map<String, Integer> maxVersions = new TreeMap<>();
        for (var e : c.getConfig("globals.max-versions").root().entrySet()) {
            Object v = e.getValue().unwrapped();
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException("crossway.globals.max-versions." + e.getKey() + " must be a number, not '" + v + "'");
            }
            maxVersions.put(e.getKey(), n.intValue());
        }
        Map<String, Map<String, String>> transports = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : c.getConfig("transports").root().entrySet()) {
            Map<String, String> opts = new TreeMap<>();
            c.getConfig("transports").getConfig(quoted(e.getKey())).entrySet()
                    .forEach(o -> opts.put(o.getKey(), String.valueOf(o.getValue().unwrapped())));
            transports.put(e.getKey(), opts);
        }
        String level = c.getString("log-level").toLowerCase(Locale.ROOT);
        if (!List.of("error", "warn", "info", "debug", "trace").contains(level)) {
            throw new IllegalArgumentException("crossway.log-level must be error, warn, info, debug or trace, not '" + level + "'");
        }
        Settings.Limits limits = new Settings.Limits(positiveBytes(c, "limits.host-memory-per-client"),
                positiveBytes(c, "limits.host-memory"), (int) Math.min(Integer.MAX_VALUE, positiveBytes(c, "limits.pools-per-client")));
        return new Settings(c.getString("transport"), c.getString("socket"), c.getString("host-display"), memory,
                c.getString("tag"), c.getString("app-id-tag"), trace,
                c.getStringList("protocol-dirs").stream().map(Path::of).collect(Collectors.toList()),
                Set(c.getStringList("globals.allow")), Set(c.getStringList("globals.deny")), maxVersions, level, transports, limits);
    }

    /** A size (256M, 1G) or count that must be at least 1. */
    private static long positiveBytes(Config c, String key) {
        long v;
        try {
            v = c.getBytes(key);
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw new IllegalArgumentException("crossway." + key + " must be a number, with a unit for sizes (e.g. 256M or 1G), not '"
                    + c.getValue(key).unwrapped() + "'");
        }
        if (v < 1) {
            throw new IllegalArgumentException("crossway." + key + " must be at least 1, not " + v);
        }
        return v;
    }

    private static java.util.Set<String> Set(List<String> l) {
        return new java.util.LinkedHashSet<>(l);
    }

    private static String quoted(String key) {
        return "\"" + key + "\"";
    }

    private static <E extends Enum<E>> E enumValue(Config c, String key, Class<E> type) {
        String v = c.getString(key);
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("crossway." + key + " cannot be '" + v + "'; allowed: "
                    + Arrays.stream(type.getEnumConstants()).map(x -> x.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
        }
    }
}
