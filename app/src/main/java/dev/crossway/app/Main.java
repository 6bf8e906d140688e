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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code crossway [OPTIONS] [-- CMD ARGS…]}: runs the daemon; with a command, runs it with
 * {@code WAYLAND_DISPLAY} set and exits with its status. Options override the configuration files and
 * {@code CROSSWAY_*} variables (see {@code reference.conf}); {@link CommandLineSpec} declares them. Each
 * transport's own flags are added from what it declares ({@link TransportProvider#options()}), so this
 * class names none.
 */
public final class Main implements Callable<Integer> {
    /** Exit status for a bad command line or configuration, as picocli and most tools use it. */
    static final int USAGE = 2;

    /** The settings the flags of {@link CommandLineSpec#FLAGS} set: key below {@code crossway.} → flag and value. */
    private final Map<String, ConfigLoader.Flag> settingFlags = new LinkedHashMap<>();
    /** {@code --config}. */
    Path config;
    /** How many times {@code -v} was given. */
    int verbose;
    /** After {@code --}: a command to run. */
    List<String> command = new ArrayList<>();

    CommandSpec spec;

    /** The transports found, discovered once before parsing (their flags are part of the command line). */
    private final TransportProviders providers;

    private Main(TransportProviders providers) {
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
        main.spec = CommandLineSpec.daemon(main);
        CommandLine cli = new CommandLine(main.spec);
        cli.addSubcommand(new CommandLine(CommandLineSpec.doctor(new DoctorCommand(main))));
        cli.addSubcommand(new CommandLine(CommandLineSpec.globals(new GlobalsCommand(main))));
        cli.setParameterExceptionHandler(Main::shortUsage);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            cmd.getErr().println("crossway: " + msg);
            return 1;
        });
        return cli;
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

    /** A setter that records the value of {@code flag} for the setting {@code key}. */
    CommandLine.Model.ISetter setting(String key, String flag) {
        return CommandLineSpec.setter(value -> settingFlags.put(key, new ConfigLoader.Flag(flag, value)));
    }

    Map<String, ConfigLoader.Flag> flags() {
        Map<String, ConfigLoader.Flag> o = new LinkedHashMap<>(settingFlags);
        if (verbose > 0) {
            o.put("log-level", new ConfigLoader.Flag(verbose > 1 ? "-vv" : "-v", verbose > 1 ? "trace" : "debug"));
        }
        return o;
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
