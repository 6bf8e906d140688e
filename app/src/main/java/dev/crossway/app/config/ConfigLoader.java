package dev.crossway.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.crossway.proxy.HostCheck;
import dev.crossway.proxy.ObjectTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Builds {@link Settings} from, highest precedence first: command-line flags, {@code CROSSWAY_*}
 * environment variables, the user file ({@code ~/.config/crossway/crossway.conf} or {@code --config}),
 * the system file ({@code /etc/crossway/crossway.conf}), {@code WAYLAND_DEBUG} (for {@code trace} only),
 * and {@code reference.conf}.
 *
 * <p>Every value remembers where it came from, so a message names what the user typed ({@code --trace},
 * {@code CROSSWAY_TRACE}, or {@code crossway.trace} with its file and line). Keys nobody reads produce a
 * warning with the nearest known key, and are otherwise ignored.
 */
public final class ConfigLoader {
    public static final Path SYSTEM_FILE = Path.of("/etc/crossway/crossway.conf");
    private static final String ROOT = "crossway";
    private static final String PREFIX = ROOT + ".";
    private static final String ENV_PREFIX = "CROSSWAY_";
    /** Variables bin/crossway reads itself, not settings: the Java to run on. */
    private static final Set<String> LAUNCHER_VARIABLES = Set.of("CROSSWAY_JAVA_HOME");

    private ConfigLoader() {
    }

    /** A value set on the command line, with the flag the user typed. */
    public record Flag(String name, Object value) {
    }

    public static Path userFile(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("crossway/crossway.conf");
    }

    /**
     * @param flags         keys below {@code crossway.} (e.g. {@code host-display}) set on the command line;
     *                      list values as {@link List}
     * @param configFile    a user file given explicitly ({@code --config}), or null for the default location
     * @param transportKeys the option keys of each transport found, by name, to check {@code transports.*}
     * @param warnings      receives one line per unknown key or variable
     * @throws IllegalArgumentException naming the flag, variable or file and key at fault, and the fix
     */
    public static Settings load(Map<String, Flag> flags, Path configFile, Map<String, String> env,
                                Map<String, Set<String>> transportKeys, Consumer<String> warnings) {
        Config reference = reference();
        if (configFile != null) {
            if (Files.isDirectory(configFile)) {
                throw new IllegalArgumentException("--config " + configFile + " is a directory; give the file, e.g. --config "
                        + configFile.resolve("crossway.conf"));
            }
            if (!Files.isRegularFile(configFile)) {
                throw new IllegalArgumentException("--config " + configFile + ": the file " + configFile + " does not exist");
            }
        }
        Path user = configFile != null ? configFile : userFile(env);
        Config layered;
        try {
            Config userConfig = parseFile(user);
            Config systemConfig = parseFile(SYSTEM_FILE);
            warnOutsideRoot(userConfig, reference, warnings);
            warnOutsideRoot(systemConfig, reference, warnings);
            layered = fromFlags(flags)
                    .withFallback(fromEnv(env, reference))
                    .withFallback(userConfig)
                    .withFallback(systemConfig)
                    .withFallback(fromWaylandDebug(env, warnings))
                    .withFallback(reference)
                    .resolve();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        }
        Config c = layered.getConfig(ROOT);
        new KeyCheck(reference.getConfig(ROOT), transportKeys, warnings).check(c);
        try {
            return read(c);
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

    /** Each flag is its own layer, so its values' origin is the flag's name. */
    private static Config fromFlags(Map<String, Flag> flags) {
        Config c = ConfigFactory.empty();
        for (var e : flags.entrySet()) {
            c = c.withFallback(ConfigFactory.parseMap(Map.of(PREFIX + e.getKey(), e.getValue().value()), e.getValue().name()));
        }
        return c;
    }

    /** CROSSWAY_HOST_DISPLAY → host-display; a double underscore descends a level; lists split on commas. */
    static Config fromEnv(Map<String, String> env, Config reference) {
        Config c = ConfigFactory.empty();
        for (var e : new TreeMap<>(env).entrySet()) {
            String key = envKey(e.getKey());
            if (key == null) {
                continue;
            }
            boolean isList = reference.hasPath(PREFIX + key) && reference.getValue(PREFIX + key).valueType() == ConfigValueType.LIST;
            Object value = isList ? splitList(e.getValue()) : e.getValue();
            c = c.withFallback(ConfigFactory.parseMap(Map.of(PREFIX + key, value), e.getKey()));
        }
        return c;
    }

    /** The key below {@code crossway.} a {@code CROSSWAY_*} variable sets, or null for other variables. */
    static String envKey(String variable) {
        if (!variable.startsWith(ENV_PREFIX) || variable.length() == ENV_PREFIX.length() || LAUNCHER_VARIABLES.contains(variable)) {
            return null;
        }
        return Arrays.stream(variable.substring(ENV_PREFIX.length()).split("__"))
                .map(part -> part.toLowerCase(Locale.ROOT).replace('_', '-'))
                .collect(Collectors.joining("."));
    }

    /** The variable that sets {@code key}: the inverse of {@link #envKey}. */
    static String envVariable(String key) {
        return ENV_PREFIX + Arrays.stream(key.split("\\.")).map(part -> part.toUpperCase(Locale.ROOT).replace('-', '_'))
                .collect(Collectors.joining("__"));
    }

    /**
     * libwayland's {@code WAYLAND_DEBUG} as the weakest source of {@code trace}: {@code 1} or {@code all}
     * traces both directions, {@code client} the clients' requests, {@code server} the host's events.
     */
    private static Config fromWaylandDebug(Map<String, String> env, Consumer<String> warnings) {
        String debug = env.get("WAYLAND_DEBUG");
        if (debug == null || debug.isEmpty()) {
            return ConfigFactory.empty();
        }
        String trace = switch (debug.toLowerCase(Locale.ROOT)) {
            case "1", "all" -> "all";
            case "client" -> "client";
            case "server" -> "host";
            default -> null;
        };
        if (trace == null) {
            warnings.accept("WAYLAND_DEBUG='" + debug + "' is not one of 1, all, client, server: not used for --trace");
            return ConfigFactory.empty();
        }
        return ConfigFactory.parseMap(Map.of(PREFIX + "trace", trace), "WAYLAND_DEBUG");
    }

    private static List<String> splitList(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).collect(Collectors.toList());
    }

    /** A file's keys outside {@code crossway { }} are ignored: say so, with the key they were probably meant as. */
    private static void warnOutsideRoot(Config file, Config reference, Consumer<String> warnings) {
        for (String key : file.root().keySet()) {
            if (key.equals(ROOT)) {
                continue;
            }
            ConfigValue value = file.root().get(key);
            String hint = reference.hasPath(PREFIX + key) ? "; did you mean crossway." + key + " (inside crossway { })?"
                    : "; Crossway reads only keys inside crossway { }";
            warnings.accept(place(value.origin()) + key + " is not a Crossway setting (ignored)" + hint);
        }
    }

    /** {@code file:line: } for a value from a file, else nothing. */
    static String place(ConfigOrigin origin) {
        return origin.filename() != null ? origin.filename() + ":" + origin.lineNumber() + ": " : "";
    }

    /**
     * What the user typed to set {@code key} (below {@code crossway.}): the flag, the variable, or the key
     * with its file and line; {@code crossway.KEY (default)} when nobody set it.
     */
    static String source(Config c, String key) {
        ConfigOrigin origin = c.getValue(key).origin();
        String description = origin.description();
        if (description.startsWith("--") || description.startsWith("-v") || description.startsWith(ENV_PREFIX)
                || description.equals("WAYLAND_DEBUG")) {
            return description;
        }
        if (origin.resource() != null || description.startsWith(DEFAULTS_ORIGIN)) {
            return PREFIX + key + " (default)";
        }
        return origin.filename() != null ? PREFIX + key + " (" + origin.filename() + ":" + origin.lineNumber() + ")" : PREFIX + key;
    }

    private static Settings read(Config c) {
        Settings.Trace trace = enumValue(c, "trace", Settings.Trace.class);
        String memory = c.getString("memory");
        if (!memory.equals("shared") && !memory.equals("separate")) {
            throw new IllegalArgumentException(source(c, "memory") + " must be 'shared' or 'separate', not '" + memory + "'");
        }
        Map<String, Integer> maxVersions = new TreeMap<>();
        for (var e : c.getConfig("globals.max-versions").root().entrySet()) {
            Object v = e.getValue().unwrapped();
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException(place(e.getValue().origin()) + "crossway.globals.max-versions." + e.getKey()
                        + " must be a number, not '" + v + "'");
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
            throw new IllegalArgumentException(source(c, "log-level") + " must be error, warn, info, debug or trace, not '" + level + "'");
        }
        Map<String, String> sources = new LinkedHashMap<>();
        for (String key : List.of("transport", "socket", "host-display")) {
            sources.put(key, source(c, key));
        }
        Settings.Limits limits = new Settings.Limits(positiveBytes(c, "limits.host-memory-per-client"),
                positiveBytes(c, "limits.host-memory"), positiveInt(c, "limits.pools-per-client"),
                positiveInt(c, "limits.fds-per-client"), positiveInt(c, "limits.objects-per-client"));
        if (limits.objectsPerClient() < 2 || limits.objectsPerClient() >= ObjectTable.MAX_IDS) {
            throw new IllegalArgumentException(source(c, "limits.objects-per-client") + " must be 2 to " + (ObjectTable.MAX_IDS - 1)
                    + ", not " + limits.objectsPerClient());
        }
        HostCheck hostCheck;
        try {
            hostCheck = new HostCheck(c.getDuration("host-check.connect-timeout"), c.getDuration("host-check.idle"),
                    c.getDuration("host-check.timeout"));
        } catch (ConfigException.BadValue | ConfigException.WrongType | IllegalArgumentException e) {
            throw new IllegalArgumentException("crossway.host-check: durations like 800ms or 10s, and with a timeout also a"
                    + " connect-timeout and an idle time above 0: " + e.getMessage());
        }
        return new Settings(c.getString("transport"), c.getString("socket"), c.getString("host-display"), memory,
                c.getString("tag"), c.getString("app-id-tag"), trace,
                c.getStringList("protocol-dirs").stream().map(Path::of).collect(Collectors.toList()),
                orderedSet(c.getStringList("globals.grant")), orderedSet(c.getStringList("globals.allow")), orderedSet(c.getStringList("globals.deny")), maxVersions, level,
                transports, sources, limits, hostCheck);
    }

    /** A size (256M, 1G) or count that must be at least 1. */
    private static long positiveBytes(Config c, String key) {
        long v;
        try {
            v = c.getBytes(key);
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw new IllegalArgumentException(source(c, key) + " must be a number, with a unit for sizes (e.g. 256M or 1G), not '"
                    + c.getValue(key).unwrapped() + "'");
        }
        if (v < 1) {
            throw new IllegalArgumentException(source(c, key) + " must be at least 1, not " + v);
        }
        return v;
    }

    private static int positiveInt(Config c, String key) {
        return (int) Math.min(Integer.MAX_VALUE, positiveBytes(c, key));
    }

    private static Set<String> orderedSet(List<String> l) {
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
            throw new IllegalArgumentException(source(c, key) + " cannot be '" + v + "'; allowed: "
                    + Arrays.stream(type.getEnumConstants()).map(x -> x.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
        }
    }

    /** The origin of every value from reference.conf, which {@link #source} reports as a default. */
    private static final String DEFAULTS_ORIGIN = "Crossway's defaults (reference.conf)";

    /**
     * The defaults, reference.conf in this module. Read as a stream rather than with
     * {@code ConfigFactory.parseResources}, which asks the jar URL for its content type and so parses the
     * JDK's whole MIME table at every start.
     */
    private static Config reference() {
        InputStream in = ConfigLoader.class.getResourceAsStream("/reference.conf");
        if (in == null) {
            return ConfigFactory.parseResources("reference.conf");
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return ConfigFactory.parseReader(reader, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
                    .setOriginDescription(DEFAULTS_ORIGIN));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Crossway's reference.conf", e);
        }
    }
}
