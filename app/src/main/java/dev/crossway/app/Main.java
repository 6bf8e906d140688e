package dev.crossway.app;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import dev.crossway.app.config.ConfigLoader;
import dev.crossway.app.config.Settings;
import dev.crossway.app.inject.CrosswayModule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/**
 * {@code crossway [OPTIONS] [-- CMD ARGS…]}: runs the daemon; with a command, runs it with
 * {@code WAYLAND_DISPLAY} set and exits with its status. Options override the configuration files and
 * {@code CROSSWAY_*} variables (see {@code reference.conf}).
 */
@Command(name = "crossway", mixinStandardHelpOptions = true, version = "crossway 0.1.0",
        subcommands = {DoctorCommand.class},
        description = {"Relays guest Wayland apps to the host compositor through a transport.",
                "Settings are layered: flags > CROSSWAY_* env > ~/.config/crossway/crossway.conf > /etc/crossway/crossway.conf > defaults."})
public final class Main implements Callable<Integer> {
    // Options are inherited by subcommands, so `crossway doctor --transport virtgpu` reads as it should.

    @Option(scope = ScopeType.INHERIT, names = "--transport", description = "Transport to the host: loopback, ... (see `crossway doctor`). Default: loopback.")
    String transport;

    @Option(scope = ScopeType.INHERIT, names = {"--socket", "--wayland-display"}, paramLabel = "NAME|PATH",
            description = "Socket for guest apps: a name under $XDG_RUNTIME_DIR or an absolute path. Default: wayland-1.")
    String socket;

    @Option(scope = ScopeType.INHERIT, names = "--host-display", paramLabel = "NAME|PATH",
            description = "Host compositor socket (loopback). Default: $WAYLAND_DISPLAY.")
    String hostDisplay;

    @Option(scope = ScopeType.INHERIT, names = "--memory", paramLabel = "shared|separate",
            description = "separate forces the copy path VM transports need (loopback only). Default: shared.")
    String memory;

    @Option(scope = ScopeType.INHERIT, names = "--tag", paramLabel = "TEXT", description = "Prefix for window titles, e.g. \"[vm] \".")
    String tag;

    @Option(scope = ScopeType.INHERIT, names = "--app-id-tag", paramLabel = "TEXT", description = "Prefix for app ids.")
    String appIdTag;

    @Option(scope = ScopeType.INHERIT, names = "--trace", paramLabel = "none|client|host|all",
            description = "Log relayed messages WAYLAND_DEBUG-style: client = requests, host = events.")
    String trace;

    @Option(scope = ScopeType.INHERIT, names = "--allow", paramLabel = "IFACE", description = "Offer only these globals (repeatable).")
    List<String> allow;

    @Option(scope = ScopeType.INHERIT, names = "--deny", paramLabel = "IFACE", description = "Never offer this global (repeatable).")
    List<String> deny;

    @Option(scope = ScopeType.INHERIT, names = "--protocol-dir", paramLabel = "DIR", description = "More protocol XML to load (repeatable).")
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

    @Option(scope = ScopeType.INHERIT, names = "--config", paramLabel = "FILE", description = "User config file. Default: ~/.config/crossway/crossway.conf.")
    Path config;

    @Option(scope = ScopeType.INHERIT, names = {"-v", "--verbose"}, description = "More logging (-v debug, -vv trace).")
    boolean[] verbose = new boolean[0];

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "After --: a command to run with WAYLAND_DISPLAY set.")
    List<String> command = new ArrayList<>();

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            cmd.getErr().println("crossway: " + msg);
            return 1;
        });
        System.exit(cli.execute(args));
    }

    Map<String, Object> overrides() {
        Map<String, Object> o = new LinkedHashMap<>();
        putIf(o, "transport", transport);
        putIf(o, "socket", socket);
        putIf(o, "host-display", hostDisplay);
        putIf(o, "memory", memory);
        putIf(o, "tag", tag);
        putIf(o, "app-id-tag", appIdTag);
        putIf(o, "trace", trace);
        putIf(o, "globals.allow", allow);
        putIf(o, "globals.deny", deny);
        putIf(o, "protocol-dirs", protocolDirs);
        putIf(o, "limits.host-memory-per-client", hostMemoryPerClient);
        putIf(o, "limits.host-memory", hostMemory);
        putIf(o, "limits.pools-per-client", poolsPerClient);
        if (verbose.length > 0) {
            o.put("log-level", verbose.length > 1 ? "trace" : "debug");
        }
        return o;
    }

    private static void putIf(Map<String, Object> m, String key, Object v) {
        if (v != null) {
            m.put(key, v);
        }
    }

    Settings settings() {
        Map<String, String> env = System.getenv();
        // WAYLAND_DEBUG-style shortcut, like WAYLAND_DEBUG_PROXY in wayland-proxy-virtwl.
        if (trace == null && env.containsKey("CROSSWAY_TRACE")) {
            trace = env.get("CROSSWAY_TRACE");
        }
        Settings s = ConfigLoader.load(overrides(), config, env);
        Logging.configure(s.logLevel(), s.trace() != Settings.Trace.NONE);
        return s;
    }

    @Override
    public Integer call() throws Exception {
        Settings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            System.err.println("crossway: " + e.getMessage());
            return 2;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        Daemon daemon;
        try {
            Injector injector = Guice.createInjector(new CrosswayModule(settings, System.getenv()));
            daemon = injector.getInstance(Daemon.class);
        } catch (ProvisionException | CreationException e) {
            System.err.println("crossway: " + rootMessage(e));
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTerminate(stop::countDown);
        try {
            daemon.start();
        } catch (Exception e) {
            System.err.println("crossway: " + e.getMessage());
            daemon.close();
            return 1;
        }
        int status = 0;
        try {
            if (!command.isEmpty()) {
                status = ChildCommand.run(command, daemon, stop, log);
            } else {
                stop.await();
                log.info("shutting down");
            }
        } finally {
            daemon.close();
        }
        return status;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
