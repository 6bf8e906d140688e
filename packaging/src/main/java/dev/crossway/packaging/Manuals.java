package dev.crossway.packaging;

import dev.crossway.app.Main;
import dev.crossway.spi.TransportProvider;
import dev.crossway.spi.TransportProviders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes Crossway's manual pages (AsciiDoc, one per command, rendered to roff by {@code build-deb}) and
 * its bash completion script, from the same command line the daemon parses, with the flags of every
 * transport found on this build's class path.
 *
 * <pre>Manuals OUTPUT_DIR</pre>
 */
public final class Manuals {
    private Manuals() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: Manuals OUTPUT_DIR");
        }
        Path out = Files.createDirectories(Path.of(args[0]));
        TransportProviders providers = TransportProviders.discover();
        if (providers.all().isEmpty()) {
            throw new IllegalStateException("no transports on the class path: the manuals would miss their flags");
        }
        CommandLine cli = Main.newCommandLine(providers);
        int status = ManPageGenerator.generateManPage(out.toFile(), null, new boolean[0], true, cli.getCommandSpec());
        if (status != 0) {
            throw new IllegalStateException("picocli's man page generator failed with status " + status);
        }
        Files.writeString(out.resolve("crossway.bash"), AutoComplete.bash("crossway", cli));
        StringBuilder found = new StringBuilder();
        for (TransportProvider p : providers.all()) {
            found.append(found.length() == 0 ? "" : ", ").append(p.name());
        }
        System.out.println("manuals and bash completion in " + out + " (transports: " + found + ")");
    }
}
