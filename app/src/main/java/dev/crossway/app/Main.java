package dev.crossway.app;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import dev.crossway.app.config.ConfigLoader;
import dev.crossway.app.config.Settings;
import dev.crossway.app.inject.CrosswayModule;
import dev.crossway.app.logging.Logging;
import dev.crossway.app.socket.GuestSocket;
import dev.crossway.app.systemd.Notifier;
import dev.crossway.app.systemd.SocketActivation;
import dev.crossway.linux.Credentials;
import dev.crossway.linux.UnixServerSocket;
import dev.crossway.spi.TransportOption;
import dev.crossway.spi.TransportProvider;
import dev.crossway.spi.TransportProviders;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code crossway [OPTIONS] [-- CMD ARGS…]}: runs the daemon; with a command, runs it with
 * {@code WAYLAND_DISPLAY} set and exits with its status. Options override the configuration files and
 * {@code CROSSWAY_*} variables (see {@code reference.conf}). Each transport's own flags are added from
 * what it declares ({@link TransportProvider#options()}), so this class names none.
 */
@Command(name = "crossway", mixinStandardHelpOptions = true, versionProvider = Version.class,
        subcommands = {DoctorCommand.class, GlobalsCommand.class},
        customSynopsis = "crossway [OPTIONS] [doctor|globals] [-- COMMAND [ARG...]]",
        description = {"Relays guest Wayland apps to the host compositor through a transport.",
                "Settings are layered: flags > CROSSWAY_* variables > ~/.config/crossway/crossway.conf"
                        + " > /etc/crossway/crossway.conf > defaults.",
                "Under systemd socket activation (LISTEN_FDS) it serves the socket passed to it; with NOTIFY_SOCKET"
                        + " it reports READY=1 once serving."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:stopped by SIGTERM or SIGINT; with a command: that command's status",
                "1:could not start or keep serving (the message says why)",
                "2:bad command line or configuration",
                "126:the command is not executable", "127:the command was not found"},
        footerHeading = "%nFiles and environment:%n",
        footer = {"/etc/crossway/crossway.conf and ~/.config/crossway/crossway.conf hold settings (an example with every"
                + " default: /usr/share/doc/crossway/examples/crossway.conf); CROSSWAY_<KEY> sets any of them (CROSSWAY_HOST_DISPLAY"
                + " sets host-display; __ descends a level). The user units crossway.socket and crossway.service start Crossway"
                + " on $XDG_RUNTIME_DIR/wayland-0 (systemctl --user enable --now crossway.socket). JAVA_OPTS adds JVM options;"
                + " CROSSWAY_JAVA_HOME runs Crossway on another Java than the runtime it comes with."})
public final class Main implements Callable<Integer> {
    /** Exit status for a bad command line or configuration, as picocli and most tools use it. */
    static final int USAGE = 2;

    // Options are inherited by subcommands, so `crossway doctor --transport virtgpu` reads as it should.

    @Option(scope = ScopeType.INHERIT, names = "--transport", paramLabel = "NAME",
            description = "Transport to the host: auto (the default: the best available), or a name `crossway doctor` lists.")
    String transport;

    @Option(scope = ScopeType.INHERIT, names = {"--socket", "--wayland-display"}, paramLabel = "NAME|PATH",
            description = "Socket for guest apps: a name under $XDG_RUNTIME_DIR, an absolute path, or auto (the default:"
                    + " wayland-0, else the first free wayland-N).")
    String socket;

    @Option(scope = ScopeType.INHERIT, names = "--host-display", paramLabel = "NAME|PATH",
            description = "Host compositor socket (loopback). Default: $WAYLAND_DISPLAY, else wayland-0.")
    String hostDisplay;

    @Option(scope = ScopeType.INHERIT, names = "--memory", paramLabel = "shared|separate",
            description = "separate forces the copy path VM transports need (loopback only). Default: shared.")
    String memory;

    @Option(scope = ScopeType.INHERIT, names = "--tag", paramLabel = "TEXT", description = "Prefix for window titles, e.g. \"[vm] \".")
    String tag;

    @Option(scope = ScopeType.INHERIT, names = "--app-id-tag", paramLabel = "TEXT", description = "Prefix for app ids.")
    String appIdTag;

    @Option(scope = ScopeType.INHERIT, names = "--trace", paramLabel = "none|client|host|all",
            description = "Log relayed messages WAYLAND_DEBUG-style: client = requests, host = events."
                    + " Without it, WAYLAND_DEBUG=1|client|server sets it.")
    String trace;

    @Option(scope = ScopeType.INHERIT, names = "--grant", paramLabel = "CLASS|IFACE",
            description = "Offer a privileged class of globals, or one global, all the same (repeatable). Classes: screen-capture,"
                    + " input-injection, clipboard, desktop-control, compositor-debug, security-context. See `crossway globals`.")
    List<String> grant;

    @Option(scope = ScopeType.INHERIT, names = "--allow", paramLabel = "IFACE", description = "Offer only these globals (repeatable); a filter that grants nothing.")
    List<String> allow;

    @Option(scope = ScopeType.INHERIT, names = "--deny", paramLabel = "IFACE", description = "Never offer this global, whatever is granted (repeatable).")
    List<String> deny;

    @Option(scope = ScopeType.INHERIT, names = "--protocol-dir", paramLabel = "DIR", description = "More protocol XML on top of the built-in table (repeatable).")
    List<String> protocolDirs;

    @Option(scope = ScopeType.INHERIT, names = "--host-memory-per-client", paramLabel = "SIZE",
            description = "Host memory one client's shm copies may take, e.g. 512M. Default: 256M.")
    String hostMemoryPerClient;

    @Option(scope = ScopeType.INHERIT, names = "--host-memory", paramLabel = "SIZE",
            description = "Host memory all clients' shm copies may take together, e.g. 2G. Default: 1G.")
    String hostMemory;

    @Option(scope = ScopeType.INHERIT, names = "--pools-per-client", paramLabel = "N",
            description = "wl_shm_pools one client may hold open. Default: 256.")
    String poolsPerClient;

    @Option(scope = ScopeType.INHERIT, names = "--fds-per-client", paramLabel = "N",
            description = "Fds one client may make the daemon hold (fds sent ahead of their messages, shm pools, host buffers). Default: 512.")
    String fdsPerClient;

    @Option(scope = ScopeType.INHERIT, names = "--objects-per-client", paramLabel = "N",
            description = "Wayland objects one client may hold. Default: 65536.")
    String objectsPerClient;

    @Option(scope = ScopeType.INHERIT, names = "--config", paramLabel = "FILE", description = "User config file. Default: ~/.config/crossway/crossway.conf.")
    Path config;

    @Option(scope = ScopeType.INHERIT, names = {"-v", "--verbose"}, description = "More logging (-v debug, -vv trace).")
    boolean[] verbose = new boolean[0];

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "After --: a command to run with WAYLAND_DISPLAY set.")
    List<String> command = new ArrayList<>();

    @Spec
    CommandSpec spec;

    /** The transports found, discovered once before parsing (their flags are part of the command line). */
    private final TransportProviders providers;
    /** Values of the transports' own flags: config key below {@code crossway.} → flag and value. */
    private final Map<String, ConfigLoader.Flag> transportFlags = new LinkedHashMap<>();

    Main(TransportProviders providers) {
        this.providers = providers;
    }

    public static void main(String[] args) {
        StartupClock.mark("main");
        warmUp();
        System.exit(newCommandLine(TransportProviders.discover()).execute(args));
    }

    /**
     * Does on another core what the daemon needs next while this one parses the command line and the
     * configuration: binding libc (jnr-ffi generates its bindings at run time, about a fifth of start-up)
     * and loading Guice (an empty injector). Harmless when only --help or --version runs.
     */
    private static void warmUp() {
        Thread warmUp = new Thread(() -> {
            try {
                Credentials.effectiveUid();
                Guice.createInjector();
            } catch (RuntimeException | LinkageError e) {
                // Only a head start: the same step on the main thread reports what is wrong.
            }
        }, "crossway-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    /**
     * The whole command line, with each transport's flags: what {@link #main} runs and what the manual
     * and the shell completion are generated from.
     */
    public static CommandLine newCommandLine(TransportProviders providers) {
        Main main = new Main(providers);
        CommandLine cli = new CommandLine(main);
        main.addTransportFlags(cli.getCommandSpec());
        cli.setParameterExceptionHandler(Main::shortUsage);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            cmd.getErr().println("crossway: " + msg);
            return 1;
        });
        return cli;
    }

    /** Each flag a transport declares, as an option of the main command that subcommands inherit. */
    private void addTransportFlags(CommandSpec spec) {
        for (TransportProvider p : providers.all()) {
            for (TransportOption o : p.options()) {
                if (o.flag() == null || spec.findOption(o.flag()) != null) {
                    continue;
                }
                String key = "transports." + p.name() + "." + o.key();
                spec.addOption(OptionSpec.builder(o.flag()).paramLabel(o.label()).type(String.class).scopeType(ScopeType.INHERIT)
                        .description(o.description())
                        .setter(new CommandLine.Model.ISetter() {
                            @Override
                            public <T> T set(T value) {
                                if (value != null) {
                                    transportFlags.put(key, new ConfigLoader.Flag(o.flag(), value));
                                }
                                return null;
                            }
                        })
                        .build());
            }
        }
    }

    /** A bad flag: the error, picocli's did-you-mean, and one usage line instead of the whole help. */
    private static int shortUsage(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("crossway: " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.print("Usage: " + String.join("\n       ", cmd.getCommandSpec().usageMessage().customSynopsis()) + "\n");
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return USAGE;
    }

    Map<String, ConfigLoader.Flag> flags() {
        Map<String, ConfigLoader.Flag> o = new LinkedHashMap<>();
        putIf(o, "transport", "--transport", transport);
        putIf(o, "socket", "--socket", socket);
        putIf(o, "host-display", "--host-display", hostDisplay);
        putIf(o, "memory", "--memory", memory);
        putIf(o, "tag", "--tag", tag);
        putIf(o, "app-id-tag", "--app-id-tag", appIdTag);
        putIf(o, "trace", "--trace", trace);
        putIf(o, "globals.grant", "--grant", grant);
        putIf(o, "globals.allow", "--allow", allow);
        putIf(o, "globals.deny", "--deny", deny);
        putIf(o, "protocol-dirs", "--protocol-dir", protocolDirs);
        putIf(o, "limits.host-memory-per-client", "--host-memory-per-client", hostMemoryPerClient);
        putIf(o, "limits.host-memory", "--host-memory", hostMemory);
        putIf(o, "limits.pools-per-client", "--pools-per-client", poolsPerClient);
        putIf(o, "limits.fds-per-client", "--fds-per-client", fdsPerClient);
        putIf(o, "limits.objects-per-client", "--objects-per-client", objectsPerClient);
        if (verbose.length > 0) {
            o.put("log-level", new ConfigLoader.Flag(verbose.length > 1 ? "-vv" : "-v", verbose.length > 1 ? "trace" : "debug"));
        }
        o.putAll(transportFlags);
        return o;
    }

    private static void putIf(Map<String, ConfigLoader.Flag> m, String key, String flag, Object v) {
        if (v != null) {
            m.put(key, new ConfigLoader.Flag(flag, v));
        }
    }

    TransportProviders providers() {
        return providers;
    }

    /** Reads the settings and sets up logging; warnings about unknown keys go to the log. */
    Settings settings() {
        Map<String, String> env = System.getenv();
        Map<String, Set<String>> transportKeys = new TreeMap<>();
        for (TransportProvider p : providers.all()) {
            Set<String> keys = new TreeSet<>();
            p.options().forEach(o -> keys.add(o.key()));
            transportKeys.put(p.name(), keys);
        }
        List<String> warnings = new ArrayList<>();
        Settings s = ConfigLoader.load(flags(), config, env, transportKeys, warnings::add);
        Logging.configure(s.logLevel(), s.trace() != Settings.Trace.NONE, env);
        Logger log = LoggerFactory.getLogger(ConfigLoader.class);
        warnings.forEach(log::warn);
        return s;
    }

    /** Where messages for the user go (standard error, unless a test says otherwise). */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Prints {@code crossway: MESSAGE} and returns {@code status}. */
    int fail(int status, String message) {
        err().println("crossway: " + message);
        err().flush();
        return status;
    }

    @Override
    public Integer call() throws Exception {
        StartupClock.mark("command line");
        Settings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            return fail(USAGE, e.getMessage());
        }
        StartupClock.mark("settings");
        if (!command.isEmpty()) {
            int runnable = ChildCommand.check(command.get(0), System.getenv("PATH"));
            if (runnable != 0) {
                return fail(runnable, command.get(0) + ": " + (runnable == ChildCommand.NOT_FOUND ? "command not found"
                        : "permission denied (not executable)"));
            }
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        Map<String, String> env = System.getenv();
        GuestSocket guestSocket;
        try {
            guestSocket = guestSocket(settings, env, log);
        } catch (IllegalArgumentException e) {
            return fail(USAGE, e.getMessage());
        } catch (IOException e) {
            return fail(1, e.getMessage());
        }
        StartupClock.mark("socket");
        Daemon daemon;
        try {
            // Guice's own cost is the injector; the providers (schema, transport) run at getInstance.
            Injector injector = Guice.createInjector(new CrosswayModule(settings, providers, guestSocket.path()));
            StartupClock.mark("injector");
            daemon = injector.getInstance(Daemon.class);
        } catch (ProvisionException | CreationException e) {
            guestSocket.close();
            return fail(1, rootMessage(e));
        }
        StartupClock.mark("schema and transport");
        Notifier notifier = Notifier.fromEnvironment(env);
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTerminate(stop::countDown);
        int status = 0;
        try {
            daemon.start(guestSocket);
            StartupClock.mark("ready");
            log.info("start-up: {}", StartupClock.summary());
            notifier.ready("Serving " + guestSocket.path() + " through " + daemon.transportDescription());
            if (!command.isEmpty()) {
                status = ChildCommand.run(command, daemon.displayName(), stop, log, err());
            } else {
                stop.await();
                log.info("shutting down");
            }
        } finally {
            notifier.stopping("Shutting down");
            daemon.close();
        }
        return status;
    }

    /** The socket systemd passed, or the one the settings name, bound now. */
    private static GuestSocket guestSocket(Settings settings, Map<String, String> env, Logger log) throws IOException {
        List<SocketActivation.PassedFd> passedFds = SocketActivation.passedFds(env, ProcessHandle.current().pid());
        SocketActivation.PassedFd passed = SocketActivation.waylandFd(passedFds);
        SocketActivation.unsupported(passedFds).forEach(log::warn);
        if (passed == null) {
            return GuestSocket.bind(settings.socket(), settings.source("socket"), env.get("XDG_RUNTIME_DIR"), Credentials.effectiveUid());
        }
        GuestSocket adopted = GuestSocket.adopt(UnixServerSocket.adopt(passed.fd(), passed.describe()), env.get("XDG_RUNTIME_DIR"));
        if (!settings.socket().equals(GuestSocket.AUTO)) {
            log.warn("serving the socket systemd passed ({}), not {} {}", adopted.path(), settings.source("socket"), settings.socket());
        }
        return adopted;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
