package dev.crossway.testsuite.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The built Crossway distribution, and copies of it with the emulated devices added. */
public final class Distributions {
    private static boolean emulatedMade;

    private Distributions() {}

    /** The distribution's home: system property {@code crossway.dist}, else {@code ../app/target/crossway}. */
    public static Path built() {
        String dist = System.getProperty("crossway.dist");
        return (dist != null ? Path.of(dist) : Path.of("..", "app", "target", "crossway")).toAbsolutePath().normalize();
    }

    /** The built distribution's launcher, checked to exist. */
    public static Path launcher() {
        return launcher(built());
    }

    /** {@code home}'s launcher, checked to exist. */
    public static Path launcher(Path home) {
        Path bin = home.resolve("bin").resolve("crossway");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("no Crossway distribution at " + bin + ": build it first (mvn -B package, or ./crossway)");
        }
        return bin;
    }

    /**
     * Why {@link #emulated()} cannot be made: no emulator jars in the directory named by system property
     * {@code crossway.emulator.jars}; or null.
     */
    public static String emulatorUnavailabilityCause() {
        return emulatorJars().isEmpty() ? "no emulator jars in " + System.getProperty("crossway.emulator.jars")
                + " (crossway.emulator.jars): build with mvn verify from the repository root" : null;
    }

    private static List<Path> emulatorJars() {
        String dir = System.getProperty("crossway.emulator.jars");
        List<Path> jars = new ArrayList<>();
        if (dir != null && Files.isDirectory(Path.of(dir))) {
            try (Stream<Path> found = Files.list(Path.of(dir))) {
                found.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return jars;
    }

    /**
     * The built distribution with the emulated devices (the VM transports' test-jars in the directory named by
     * {@code crossway.emulator.jars}) added as plugins, at {@code crossway.emulated.dist}: the product plus
     * test-only devices, which a transport uses only when its {@code device-provider} option says
     * {@code emulator}. Made anew on the first call of each test run, so it always holds this build's jars.
     */
    public static synchronized Path emulated() {
        String cause = emulatorUnavailabilityCause();
        if (cause != null) {
            throw new IllegalStateException(cause);
        }
        Path home = Path.of(System.getProperty("crossway.emulated.dist", "target/crossway-emulated")).toAbsolutePath();
        if (!emulatedMade) {
            withJars(built(), emulatorJars(), home);
            emulatedMade = true;
        }
        return home;
    }

    /**
     * A copy of distribution {@code dist} at {@code home} (replacing what was there) with {@code jars} in {@code plugins/},
     * which the launcher puts on the module path.
     */
    public static Path withJars(Path dist, List<Path> jars, Path home) {
        try {
            if (Files.exists(home)) {
                try (Stream<Path> old = Files.walk(home)) {
                    for (Path f : (Iterable<Path>) old.sorted(Comparator.reverseOrder())::iterator) {
                        Files.delete(f);
                    }
                }
            }
            try (Stream<Path> files = Files.walk(dist)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path target = home.resolve(dist.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
            Files.createDirectories(home.resolve("plugins"));
            for (Path jar : jars) {
                Files.copy(jar, home.resolve("plugins").resolve(jar.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the distribution " + dist + " to " + home, e);
        }
        return home;
    }
}
