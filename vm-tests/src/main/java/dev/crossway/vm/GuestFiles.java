package dev.crossway.vm;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the test machine lends the guest, read-only: the Crossway distribution and the class path of
 * the guest-side Java programs (this module's classes, bench's workloads, core and linux). Mounted
 * into the container, so a Crossway change never rebuilds the image.
 *
 * @param distribution the built distribution ({@code app/target/crossway})
 * @param classes      this module's compiled classes
 * @param lib          the jars those classes need ({@code target/guest-lib})
 */
public record GuestFiles(Path distribution, Path classes, Path lib) {
    /** Where the guest finds the distribution. */
    public static final String GUEST_DISTRIBUTION = "/opt/crossway";
    public static final String GUEST_CLASSES = "/opt/crossway-test/classes";
    public static final String GUEST_LIB = "/opt/crossway-test/lib";
    /** The guest's launcher of the distribution. */
    public static final String CROSSWAY = GUEST_DISTRIBUTION + "/bin/crossway";

    /** From the system properties the build sets ({@code crossway.dist}, {@code crossway.vm.guestClasses}, {@code crossway.vm.guestLib}). */
    public static GuestFiles fromSystemProperties() {
        GuestFiles f = new GuestFiles(path("crossway.dist", "../app/target/crossway"),
                path("crossway.vm.guestClasses", "target/classes"), path("crossway.vm.guestLib", "target/guest-lib"));
        if (!Files.isExecutable(f.distribution.resolve("bin/crossway"))) {
            throw new IllegalStateException("no Crossway distribution at " + f.distribution + ": build it first (mvn -B package, or ./crossway)");
        }
        if (!Files.isDirectory(f.lib)) {
            throw new IllegalStateException("no guest class path at " + f.lib + ": build this module with mvn package first");
        }
        return f;
    }

    /** Where VMs keep their exchange directories and console logs (system property {@code crossway.vm.work}). */
    static Path workDirectory() {
        return path("crossway.vm.work", "target/vm");
    }

    /** The guest's {@code java -cp} argument for the guest-side programs. */
    public static String guestClassPath() {
        return GUEST_CLASSES + ":" + GUEST_LIB + "/*";
    }

    private static Path path(String property, String fallback) {
        return Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
    }
}
