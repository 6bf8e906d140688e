package dev.crossway.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where the VM's cross-domain device finds the host compositor: a directory mounted into the
 * container, whose {@code wayland-0} is a hard link to the socket of whichever compositor the test
 * {@linkplain #attach attached}. rutabaga connects anew for every cross-domain context (one per guest
 * client), so a compositor can be swapped, or killed and replaced, while the VM runs.
 */
public final class HostDisplay implements AutoCloseable {
    /** The directory as QEMU sees it in the container. */
    public static final String GUEST_DIRECTORY = "/vm/host-wayland";
    /** QEMU's {@code wayland-socket-path}. */
    public static final String GUEST_SOCKET = GUEST_DIRECTORY + "/wayland-0";

    private final Path directory;

    private HostDisplay(Path directory) {
        this.directory = directory;
    }

    /** A new directory next to the rig's compositors' runtime directories (a hard link cannot cross file systems). */
    static HostDisplay create() throws IOException {
        return new HostDisplay(Files.createTempDirectory("crossway-vm-display-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
    }

    public Path directory() {
        return directory;
    }

    /** Points the VM's compositor socket at {@code compositorSocket}; clients that connect from now on reach it. */
    public void attach(Path compositorSocket) {
        Path link = directory.resolve("wayland-0");
        try {
            Files.deleteIfExists(link);
            Files.createLink(link, compositorSocket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot link " + compositorSocket + " as " + link
                    + " (the compositor's runtime directory must be on the same file system as java.io.tmpdir)", e);
        }
    }

    /** No compositor: new guest clients are refused until the next {@link #attach}. */
    public void detach() {
        try {
            Files.deleteIfExists(directory.resolve("wayland-0"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            Vm.deleteTree(directory);
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
