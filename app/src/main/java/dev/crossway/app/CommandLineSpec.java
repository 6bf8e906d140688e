package dev.crossway.app;

import dev.crossway.app.config.ConfigLoader;
import dev.crossway.spi.TransportOption;
import dev.crossway.spi.TransportProvider;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ScopeType;

/**
 * Crossway's command line, declared with picocli's programmatic API rather than its annotations: reading
 * annotations made the JDK generate a proxy class for each annotation type and parse every annotated
 * member at each start. The daemon's start to socket-ready went from 391 to 360 ms (medians of 15
 * interleaved starts).
 *
 * <p>Each daemon flag sets one setting, so the flags are a table: the setting's key below {@code crossway.},
 * where {@link ConfigLoader} layers it over the variables and files. Flags are inherited by the
 * subcommands, so {@code crossway doctor --transport virtgpu} reads as it should.
 */
final class CommandLineSpec {
    /** A flag that sets the setting {@code key}; a repeatable one collects a list. */
    record Flag(String key, String label, boolean repeatable, String description, String... names) {
    }

    static final List<Flag> FLAGS = List.of(
            new Flag("transport", "NAME", false,
                    "Transport to the host: auto (the default: the best available), or a name `crossway doctor` lists.", "--transport"),
            new Flag("socket", "NAME|PATH", false, "Socket for guest apps: a name under $XDG_RUNTIME_DIR, an absolute path, or auto"
                    + " (the default: wayland-0, else the first free wayland-N).", "--socket", "--wayland-display"),
            new Flag("host-display", "NAME|PATH", false, "Host compositor socket (loopback). Default: $WAYLAND_DISPLAY, else wayland-0.",
                    "--host-display"),
            new Flag("memory", "shared|separate", false,
                    "separate forces the copy path VM transports need (loopback only). Default: shared.", "--memory"),
            new Flag("tag", "TEXT", false, "Prefix for window titles, e.g. \"[vm] \".", "--tag"),
            new Flag("app-id-tag", "TEXT", false, "Prefix for app ids.", "--app-id-tag"),
            new Flag("trace", "none|client|host|all", false, "Log relayed messages WAYLAND_DEBUG-style: client = requests,"
                    + " host = events. Without it, WAYLAND_DEBUG=1|client|server sets it.", "--trace"),
            new Flag("globals.grant", "CLASS|IFACE", true, "Offer a privileged class of globals, or one global, all the same"
                    + " (repeatable). Classes: screen-capture, input-injection, clipboard, desktop-control, compositor-debug,"
                    + " security-context. See `crossway globals`.", "--grant"),
            new Flag("globals.allow", "IFACE", true, "Offer only these globals (repeatable); a filter that grants nothing.", "--allow"),
            new Flag("globals.deny", "IFACE", true, "Never offer this global, whatever is granted (repeatable).", "--deny"),
            new Flag("protocol-dirs", "DIR", true, "More protocol XML on top of the built-in table (repeatable).", "--protocol-dir"),
            new Flag("limits.host-memory-per-client", "SIZE", false,
                    "Host memory one client's shm copies may take, e.g. 512M. Default: 256M.", "--host-memory-per-client"),
            new Flag("limits.host-memory", "SIZE", false,
                    "Host memory all clients' shm copies may take together, e.g. 2G. Default: 1G.", "--host-memory"),
            new Flag("limits.pools-per-client", "N", false, "wl_shm_pools one client may hold open. Default: 256.", "--pools-per-client"),
            new Flag("limits.fds-per-client", "N", false, "Fds one client may make the daemon hold (fds sent ahead of their"
                    + " messages, shm pools, host buffers). Default: 512.", "--fds-per-client"),
            new Flag("limits.objects-per-client", "N", false, "Wayland objects one client may hold. Default: 65536.",
                    "--objects-per-client"));

    private CommandLineSpec() {
    }

    /**
     * {@code crossway}: the daemon, its flags, {@code --config}, {@code -v}, the command after {@code --}, and
     * each transport's flags.
     */
    static CommandSpec daemon(Main main) {
        CommandSpec spec = command(main, "crossway", "crossway [OPTIONS] [doctor|globals] [-- COMMAND [ARG...]]",
                "Relays guest Wayland apps to the host compositor through a transport.",
                "Settings are layered: flags > CROSSWAY_* variables > ~/.config/crossway/crossway.conf"
                        + " > /etc/crossway/crossway.conf > defaults.",
                "Under systemd socket activation (LISTEN_FDS) it serves the socket passed to it; with NOTIFY_SOCKET"
                        + " it reports READY=1 once serving.");
        UsageMessageSpec usage = spec.usageMessage();
        usage.exitCodeListHeading("%nExit status:%n");
        Map<String, String> exits = new LinkedHashMap<>();
        exits.put("0", "stopped by SIGTERM or SIGINT; with a command: that command's status");
        exits.put("1", "could not start or keep serving (the message says why)");
        exits.put("2", "bad command line or configuration");
        exits.put("126", "the command is not executable");
        exits.put("127", "the command was not found");
        usage.exitCodeList(exits);
        usage.footerHeading("%nFiles and environment:%n");
        usage.footer("/etc/crossway/crossway.conf and ~/.config/crossway/crossway.conf hold settings (an example with every"
                + " default: /usr/share/doc/crossway/examples/crossway.conf); CROSSWAY_<KEY> sets any of them (CROSSWAY_HOST_DISPLAY"
                + " sets host-display; __ descends a level). The user units crossway.socket and crossway.service start Crossway"
                + " on $XDG_RUNTIME_DIR/wayland-0 (systemctl --user enable --now crossway.socket). JAVA_OPTS adds JVM options;"
                + " CROSSWAY_JAVA_HOME runs Crossway on another Java than the runtime it comes with.");
        for (Flag f : FLAGS) {
            spec.addOption(option(main, f));
        }
        spec.addOption(OptionSpec.builder("--config").paramLabel("FILE").type(Path.class).scopeType(ScopeType.INHERIT)
                .description("User config file. Default: ~/.config/crossway/crossway.conf.")
                .setter(setter(value -> main.config = (Path) value)).build());
        spec.addOption(OptionSpec.builder("-v", "--verbose").type(boolean[].class).arity("0").scopeType(ScopeType.INHERIT)
                .description("More logging (-v debug, -vv trace).")
                .setter(setter(value -> main.verbose = ((boolean[]) value).length)).build());
        spec.addPositional(PositionalParamSpec.builder().paramLabel("COMMAND").arity("0..*").type(List.class).auxiliaryTypes(String.class)
                .description("After --: a command to run with WAYLAND_DISPLAY set.")
                .setter(setter(value -> main.command = castList(value))).build());
        // Each transport's own flags, from what it declares: its options section, transports.NAME.KEY.
        for (TransportProvider p : main.providers().all()) {
            for (TransportOption o : p.options()) {
                if (o.flag() != null && spec.findOption(o.flag()) == null) {
                    spec.addOption(option(main, new Flag("transports." + p.name() + "." + o.key(), o.label(), false, o.description(), o.flag())));
                }
            }
        }
        return spec;
    }

    /** The option for {@code flag}, inherited by the subcommands, recording its value for the setting it sets. */
    private static OptionSpec option(Main main, Flag flag) {
        return OptionSpec.builder(flag.names()).paramLabel(flag.label()).description(flag.description()).scopeType(ScopeType.INHERIT)
                .type(flag.repeatable() ? List.class : String.class).auxiliaryTypes(String.class)
                .setter(main.setting(flag.key(), flag.names()[0])).build();
    }

    /** {@code crossway doctor}. */
    static CommandSpec doctor(DoctorCommand doctor) {
        doctor.spec = command(doctor, "doctor", "crossway doctor [OPTIONS]", "Checks every transport found, explains which"
                + " one the settings select (transport = auto picks the available one that ranks first) and says what is missing"
                + " for the others. Exits 0 when the selected transport can run.");
        return doctor.spec;
    }

    /** {@code crossway globals}. */
    static CommandSpec globals(GlobalsCommand globals) {
        return command(globals, "globals", "crossway globals [OPTIONS]",
                "Lists the host compositor's globals: whether guest apps see each one, at which version, and if not, why.",
                "Takes the same options as the daemon (--transport, --grant, --allow, --deny, --protocol-dir, ...).");
    }

    /**
     * A command running {@code userObject}, with its synopsis and description, the version from the build, and
     * picocli's standard {@code -h, --help} and {@code -V, --version} in its wording.
     */
    private static CommandSpec command(Object userObject, String name, String synopsis, String... description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(userObject).name(name);
        spec.versionProvider(new Version());
        spec.usageMessage().customSynopsis(synopsis).description(description);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
        return spec;
    }

    /** What a setter does with the value picocli parsed. */
    interface Assign {
        void accept(Object value);
    }

    /** picocli's generic setter, doing {@code assign}. */
    static ISetter setter(Assign assign) {
        return new ISetter() {
            @Override
            public <T> T set(T value) {
                if (value != null) {
                    assign.accept(value);
                }
                return null;
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object value) {
        return (List<String>) value;
    }
}
