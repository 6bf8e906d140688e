package dev.crossway.vm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the test machine lends the guest, read-only: the Crossway distribution, the class path of the
 * test client (the testsuite with core and linux) and, if asked, a JDK for the guest to run them on.
 * Mounted into the container, so a Crossway change never rebuilds the image.
 *
 * @param distribution the built distribution ({@code app/target/crossway})
 * @param lib          the test client's jars ({@code target/guest-lib})
 * @param javaHome     a JDK of this machine that the guest runs the daemon and the test client on, instead
 *                     of the image's (system property {@code crossway.vm.guestJavaHome}); none: the image's
 */
public record GuestFiles(Path distribution, Path lib, Optional<Path> javaHome) {
    /** Where the guest finds the distribution. */
    public static final String GUEST_DISTRIBUTION = "/opt/crossway";
    public static final String GUEST_LIB = "/opt/crossway-test/lib";
    /** Where the guest finds the lent JDK, if any. */
    public static final String GUEST_JAVA_HOME = "/opt/crossway-jdk";
    /** The guest's launcher of the distribution. */
    public static final String CROSSWAY = GUEST_DISTRIBUTION + "/bin/crossway";
    private static final String JAVA_HOME_PROPERTY = "crossway.vm.guestJavaHome";

    /** From the system properties the build sets ({@code crossway.dist}, {@code crossway.vm.guestLib}, {@code crossway.vm.guestJavaHome}). */
    public static GuestFiles fromSystemProperties() {
        GuestFiles f = new GuestFiles(path("crossway.dist", "../app/target/crossway"), path("crossway.vm.guestLib", "target/guest-lib"),
                guestJavaHome());
        if (!Files.isExecutable(f.distribution.resolve("bin/crossway"))) {
            throw new IllegalStateException("no Crossway distribution at " + f.distribution + ": build it first (mvn -B package, or ./crossway)");
        }
        if (!Files.isDirectory(f.lib)) {
            throw new IllegalStateException("no guest class path at " + f.lib + ": build this module with mvn package first");
        }
        f.javaHome.filter(h -> !Files.isExecutable(h.resolve("bin/java"))).ifPresent(h -> {
            throw new IllegalStateException("no bin/java in " + h + " (" + JAVA_HOME_PROPERTY + ", which scripts/vm-test sets from CROSSWAY_VM_GUEST_JDK)");
        });
        return f;
    }

    private static Optional<Path> guestJavaHome() {
        String home = System.getProperty(JAVA_HOME_PROPERTY, "");
        return home.isBlank() ? Optional.empty() : Optional.of(Path.of(home).toAbsolutePath().normalize());
    }

    /** The guest's {@code java}: the lent JDK's, else the image's. */
    static String java() {
        return guestJavaHome().isPresent() ? GUEST_JAVA_HOME + "/bin/java" : "java";
    }

    /**
     * A shell line that points the launcher at the lent JDK ({@code CROSSWAY_JAVA_HOME}, which wins over the
     * distribution's linked runtime), or nothing.
     */
    static String javaHomeExport() {
        return guestJavaHome().isPresent() ? "export CROSSWAY_JAVA_HOME=" + GUEST_JAVA_HOME + "\n" : "";
    }

    /** Where VMs keep their exchange directories and console logs (system property {@code crossway.vm.work}). */
    static Path workDirectory() {
        return path("crossway.vm.work", "target/vm");
    }

    /** The guest's {@code java -cp} argument for the test client. */
    public static String guestClassPath() {
        return GUEST_LIB + "/*";
    }

    private static Path path(String property, String fallback) {
        return Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
    }
}
