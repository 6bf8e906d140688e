package dev.crossway.vm;

import com.github.dockerjava.api.exception.NotFoundException;
import org.testcontainers.DockerClientFactory;

/**
 * The VM tier's container image ({@code scripts/vm-image} builds it) and the container engine that
 * runs it: whether the tier can run here and, if not, why and how to fix it.
 */
public final class VmImage {
    /** The image {@code scripts/vm-image} builds and tags. */
    public static final String NAME = "localhost/crossway-vm:latest";
    /** System property (the build sets it from {@code CROSSWAY_VM_REQUIRED}): missing parts fail the tier instead of skipping it. */
    public static final String REQUIRED_PROPERTY = "crossway.vm.required";
    private static final String FIX = "run scripts/vm-test (as root it installs podman, builds the image and runs this tier)";

    private VmImage() {}

    /** Whether a missing engine or image must fail the tier (CI) rather than skip it (a developer's quick run). */
    public static boolean required() {
        String v = System.getProperty(REQUIRED_PROPERTY, "");
        return v.equals("1") || v.equalsIgnoreCase("true");
    }

    /** Why the tier cannot run here, naming the fix; null when a container engine answers and the image exists. */
    public static String unavailabilityCause() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            String host = System.getenv("DOCKER_HOST");
            return "no container engine answers" + (host == null ? " (DOCKER_HOST is not set)" : " at DOCKER_HOST=" + host) + ": " + FIX;
        }
        try {
            DockerClientFactory.instance().client().inspectImageCmd(NAME).exec();
        } catch (NotFoundException e) {
            return "the container engine has no image " + NAME + ": " + FIX;
        }
        return null;
    }
}
