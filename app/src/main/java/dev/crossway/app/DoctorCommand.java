package dev.crossway.app;

import dev.crossway.app.config.Settings;
import dev.crossway.app.inject.CrosswayModule;
import dev.crossway.spi.TransportOptions;
import dev.crossway.spi.TransportProvider;
import dev.crossway.spi.TransportProviders;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code crossway doctor}: which transports can run here, and for those that cannot, why and how to fix it. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Checks whether the selected transport can run here and lists every transport found.")
final class DoctorCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Override
    public Integer call() {
        Settings settings = parent.settingsOrReport();
        if (settings == null) {
            return Main.BAD_CONFIGURATION;
        }
        TransportProviders providers = TransportProviders.discover();
        TransportOptions options = CrosswayModule.options(settings);
        if (providers.all().isEmpty()) {
            System.out.println("no transports found: is a transport module on the module path?");
        }
        for (TransportProvider p : providers.all()) {
            // Each transport is checked with its own options section, as when it runs.
            TransportOptions own = CrosswayModule.options(settings, p.name());
            String cause = p.unavailabilityCause(own);
            System.out.println(p.name() + ": " + (cause == null ? "available" : "unavailable") + " (" + p.description() + ")");
            for (String line : p.checks(own)) {
                System.out.println("  " + line);
            }
        }
        for (String failure : providers.loadFailures()) {
            System.out.println("failed to load a transport: " + failure);
        }
        try {
            TransportProvider selected = providers.select(settings.transport(), options);
            String cause = selected.unavailabilityCause(options);
            System.out.println("selected transport " + selected.name() + ": " + (cause == null ? "ok" : "cannot run: " + cause));
            return cause == null ? 0 : 1;
        } catch (IllegalArgumentException e) {
            System.out.println(e.getMessage());
            return 1;
        }
    }
}
