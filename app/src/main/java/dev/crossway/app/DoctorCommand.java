package dev.crossway.app;

import dev.crossway.app.config.Settings;
import dev.crossway.app.inject.CrosswayModule;
import dev.crossway.app.systemd.SocketActivation;
import dev.crossway.spi.TransportProvider;
import dev.crossway.spi.TransportProviders;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code crossway doctor}: which transports can run here, which one the settings select and why, and
 * for those that cannot run, the cause and the fix.
 */
final class DoctorCommand implements Callable<Integer> {
    private final Main parent;
    /** Set by {@link CommandLineSpec#doctor}. */
    CommandSpec spec;

    DoctorCommand(Main parent) {
        this.parent = parent;
    }

    @Override
    public Integer call() {
        Settings settings;
        try {
            settings = parent.settings();
        } catch (IllegalArgumentException e) {
            return parent.fail(Main.USAGE, e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            return check(settings, out);
        } finally {
            out.flush();
        }
    }

    private int check(Settings settings, PrintWriter out) {
        TransportProviders providers = parent.providers();
        if (providers.all().isEmpty()) {
            out.println("no transports found: is a transport module on the module path?");
        }
        boolean auto = TransportProviders.isAuto(settings.transport());
        out.println("transports, in the order transport=auto tries them:");
        for (TransportProvider p : providers.all()) {
            // Each transport is checked with its own options section, as when it runs.
            var own = CrosswayModule.options(settings, p.name(), null);
            String cause = p.unavailabilityCause(own);
            out.println("  " + p.name() + " (priority " + p.priority() + "): " + (cause == null ? "available" : "unavailable")
                    + " - " + p.description());
            for (String line : p.checks(own)) {
                out.println("      " + line);
            }
        }
        for (String failure : providers.loadFailures()) {
            out.println("failed to load a transport: " + failure);
        }
        if (!SocketActivation.passedFds(System.getenv(), ProcessHandle.current().pid()).isEmpty()) {
            out.println("socket: passed by systemd (LISTEN_FDS)");
        }
        String source = settings.source("transport");
        String from = source.endsWith("(default)") ? "the default" : source;
        try {
            TransportProvider selected = providers.select(settings.transport(), name -> CrosswayModule.options(settings, name, null));
            String cause = selected.unavailabilityCause(CrosswayModule.options(settings, selected.name(), null));
            String how = auto ? "transport auto (" + from + ") chooses " + selected.name() + ", the available transport with the highest priority"
                    : "transport " + selected.name() + " (" + from + ")";
            out.println(how + ": " + (cause == null ? "ok" : "cannot run: " + cause));
            return cause == null ? 0 : 1;
        } catch (IllegalArgumentException e) {
            // The details are listed above; the message repeats them after its first sentence.
            out.println("transport " + settings.transport() + " (" + from + "): " + e.getMessage().split("\\. Transports found")[0]);
            return 1;
        }
    }
}
