package dev.crossway.vm;

import dev.crossway.testsuite.client.TestClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.utility.DockerImageName;

/**
 * A QEMU guest (TCG, q35, Debian's kernel) in a container of {@link VmImage}, started through the
 * container engine's Docker API by Testcontainers. The guest mounts the image's root over 9p and runs
 * the agent from its exchange directory, which the test machine sees as {@link #share()}; commands
 * go through {@link #shell()}. The host compositor's socket reaches QEMU through {@link #hostDisplay()}.
 *
 * <p>Every wait is bounded, and QEMU runs under {@code timeout(1)} in the container, so even a test
 * JVM that dies leaves nothing running for longer than {@link #LIFETIME}.
 */
public final class Vm implements AutoCloseable {
    /** The virtio-gpu device the guest gets. */
    public enum Gpu {
        /**
         * {@code virtio-gpu-rutabaga-pci} with cross-domain, connected to the host compositor's socket. Its
         * host-visible window is 256 MiB, as a small VM's: Crossway's host buffers follow what surfaces show, so
         * foot's 512 MiB pool fits.
         */
        CROSS_DOMAIN("virtio-gpu-rutabaga-pci,cross-domain=on,wayland-socket-path=" + HostDisplay.GUEST_SOCKET + ",hostmem="
                + (HOST_VISIBLE_WINDOW >> 20) + "M"),
        /** QEMU's plain {@code virtio-gpu-pci}: a real virtio_gpu device without context types or cross-domain. */
        PLAIN("virtio-gpu-pci");

        private final String device;

        Gpu(String device) {
            this.device = device;
        }

        /** QEMU's {@code -device} argument. */
        public String device() {
            return device;
        }
    }

    /** The cross-domain GPU's host-visible window ({@code hostmem}), where Crossway's host buffers are made. */
    public static final long HOST_VISIBLE_WINDOW = 256L << 20;
    /** QEMU ends itself after this, whatever happens to the JVM that started it. */
    public static final Duration LIFETIME = Duration.ofMinutes(45);
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(3);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String name;
    private final Gpu gpu;
    private final Path work;
    private final Path share;
    private final Path console;
    private final HostDisplay hostDisplay;
    private final GenericContainer<?> container;
    private final GuestShell shell;
    /** The guest's test-client server, once started. */
    private GuestShell testClients;
    private final Thread shutdownHook;
    private Duration bootTime;
    private String readyReport = "";
    /** QEMU's console as the container engine streams it; closed with the VM. */
    private OutputStream consoleOut;

    private Vm(String name, Gpu gpu, Path work, HostDisplay hostDisplay, GenericContainer<?> container) {
        this.name = name;
        this.gpu = gpu;
        this.work = work;
        this.share = work.resolve("share");
        this.console = work.resolve("console.log");
        this.hostDisplay = hostDisplay;
        this.container = container;
        this.shell = new GuestShell(this, share, ".sh");
        this.shutdownHook = new Thread(this::stopContainer, "crossway-vm-stop-" + name);
    }

    /**
     * Boots a VM with {@code gpu} and waits for its agent. {@code files} are mounted read-only where the
     * guest runs them. Fails with one line naming what did not happen and the console log's path.
     */
    public static Vm boot(String name, Gpu gpu, GuestFiles files) {
        String id = name + "-" + SEQUENCE.incrementAndGet();
        Path work = GuestFiles.workDirectory().resolve(id);
        HostDisplay display;
        try {
            deleteTree(work);
            Files.createDirectories(work.resolve("share"));
            try (var agent = Vm.class.getResourceAsStream("agent.sh")) {
                if (agent == null) {
                    throw new IllegalStateException("agent.sh is missing from the classpath next to " + Vm.class.getName());
                }
                Files.copy(agent, work.resolve("share").resolve("agent.sh"));
            }
            display = HostDisplay.create();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the VM's directory " + work, e);
        }
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(VmImage.NAME))
                .withFileSystemBind(work.resolve("share").toString(), "/vm/share", BindMode.READ_WRITE)
                .withFileSystemBind(display.directory().toString(), HostDisplay.GUEST_DIRECTORY, BindMode.READ_WRITE)
                .withFileSystemBind(files.distribution().toString(), GuestFiles.GUEST_DISTRIBUTION, BindMode.READ_ONLY)
                .withFileSystemBind(files.lib().toString(), GuestFiles.GUEST_LIB, BindMode.READ_ONLY)
                .withLabel("dev.crossway.vm", id)
                .withCreateContainerCmdModifier(cmd -> cmd.withName("crossway-vm-" + id + "-" + ProcessHandle.current().pid()))
                .withCommand(qemuCommand(gpu).toArray(String[]::new));
        files.javaHome().ifPresent(jdk -> container.withFileSystemBind(jdk.toString(), GuestFiles.GUEST_JAVA_HOME, BindMode.READ_ONLY));
        Vm vm = new Vm(id, gpu, work, display, container);
        vm.start();
        return vm;
    }

    /** The container's command: QEMU under {@code timeout}, its serial console on stdout. */
    static List<String> qemuCommand(Gpu gpu) {
        return List.of("timeout", "-k", "10", Long.toString(LIFETIME.toSeconds()),
                "qemu-system-x86_64", "-L", "/usr/share/qemu", "-L", "/usr/share/seabios",
                "-machine", "q35,memory-backend=mem", "-accel", "tcg", "-cpu", "max", "-smp", "2", "-m", "2G",
                // Guest RAM in a shared memfd: rutabaga maps blob resources from it.
                "-object", "memory-backend-memfd,id=mem,size=2G,share=on",
                "-nodefaults", "-display", "none", "-vga", "none", "-no-reboot", "-serial", "stdio",
                "-kernel", "/vm/boot/vmlinuz", "-initrd", "/vm/boot/initramfs.cpio.gz",
                "-append", "console=ttyS0 panic=-1",
                "-device", gpu.device(),
                "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
                "-virtfs", "local,path=/vm/share,mount_tag=share,security_model=none,multidevs=remap");
    }

    private void start() {
        OutputStream log;
        try {
            log = Files.newOutputStream(console);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        consoleOut = log;
        container.withLogConsumer((OutputFrame frame) -> {
            try {
                if (frame.getBytes() != null) {
                    synchronized (log) {
                        log.write(frame.getBytes());
                        log.flush();
                    }
                }
            } catch (IOException ignored) {
                // the console log is for people; a lost line must not fail the VM
            }
        });
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        long t0 = System.nanoTime();
        try {
            container.start();
        } catch (RuntimeException e) {
            close();
            throw new VmException("VM " + name + ": the container did not start (" + rootMessage(e) + "); QEMU's console: "
                    + console + tail(), e);
        }
        Path ready = share.resolve("ready");
        long deadline = t0 + BOOT_TIMEOUT.toNanos();
        while (!Files.exists(ready)) {
            String text = console();
            int failed = text.indexOf("crossway-vm: init failed:");
            if (failed >= 0 || !container.isRunning() || System.nanoTime() > deadline) {
                String why = failed >= 0 ? text.substring(failed).lines().findFirst().orElse("")
                        : !container.isRunning() ? "QEMU exited" : "no agent after " + BOOT_TIMEOUT.toSeconds() + " s";
                close();
                throw new VmException("VM " + name + " did not boot: " + why + "; QEMU's console: " + console + tail());
            }
            sleep(Duration.ofMillis(100));
        }
        bootTime = Duration.ofNanos(System.nanoTime() - t0);
        try {
            readyReport = Files.readString(ready).strip().replace('\n', ' ');
        } catch (IOException e) {
            readyReport = "";
        }
    }

    private String tail() {
        List<String> lines = console().lines().toList();
        return "\n  last lines:\n    " + String.join("\n    ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    public String name() {
        return name;
    }

    public Gpu gpu() {
        return gpu;
    }

    /** From starting the container to the guest's agent answering. */
    public Duration bootTime() {
        return bootTime;
    }

    /** What the agent reported when ready: the guest's uptime then, and its kernel. */
    public String readyReport() {
        return readyReport;
    }

    /** The exchange directory as the test machine sees it ({@code /vm/share} in the guest). */
    public Path share() {
        return share;
    }

    public Path work() {
        return work;
    }

    public GuestShell shell() {
        return shell;
    }

    /**
     * Where the guest runs the test client's programs: one guest JVM ({@code TestClient serve}) started on first
     * use, which runs each program on a thread of its own, so a program costs no JVM start (under TCG, ten
     * seconds). Programs go in as {@code test-client/cmd/ID.args}: {@code KEY=VALUE} lines, {@code --}, then
     * one argument a line.
     */
    public synchronized GuestShell testClients() {
        if (testClients == null) {
            Path dir = share.resolve("test-client");
            shell.start(LIFETIME, "exec " + GuestDisplay.java(TestClient.class.getName(), "serve", "/vm/share/test-client")
                    + " >/vm/share/test-client.log 2>&1");
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!Files.exists(dir.resolve("ready"))) {
                if (System.nanoTime() > deadline || !isRunning()) {
                    throw new VmException("the guest's test-client server did not start within 2 min; its log: "
                            + share.resolve("test-client.log"));
                }
                sleep(Duration.ofMillis(100));
            }
            testClients = new GuestShell(this, dir, ".args");
        }
        return testClients;
    }

    public HostDisplay hostDisplay() {
        return hostDisplay;
    }

    public boolean isRunning() {
        return container.isRunning();
    }

    /** Everything QEMU's serial console printed so far. */
    public String console() {
        return readText(console);
    }

    public Path consoleLog() {
        return console;
    }

    /** Kills QEMU and removes its container. */
    @Override
    public void close() {
        stopContainer();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // the JVM is shutting down, or the hook was never added
        }
        hostDisplay.close();
        if (consoleOut != null) {
            synchronized (consoleOut) {
                try {
                    consoleOut.close();
                } catch (IOException ignored) {
                    // nothing more will be written
                }
            }
        }
    }

    private void stopContainer() {
        try {
            container.stop();
        } catch (RuntimeException ignored) {
            // already gone
        }
    }

    @Override
    public String toString() {
        return "VM " + name + " (" + gpu.device() + ", console " + console + ")";
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted", e);
        }
    }

    /** A file the guest or QEMU is writing, as text so far ({@code ""} while it does not exist). */
    static String readText(Path p) {
        try {
            return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e.getMessage() + ")";
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
