package dev.crossway.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.testsuite.RelaySuite;
import dev.crossway.testsuite.rig.Distributions;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module graph of the built distribution's lib/, read with {@link ModuleFinder} (nothing is run). */
class ModuleGraphIT {
    private static final String SPI = "dev.crossway.spi.TransportProvider";

    /**
     * Every automatic module the distribution ships today. A new one (or a Crossway module that
     * lost its module-info) shows up here as a failing diff, to be looked at in review.
     */
    private static final Set<String> KNOWN_AUTOMATIC = Set.of(
            "aopalliance",                              // guice
            "com.google.common",                        // guava, for guice
            "com.google.errorprone.annotations",        // guava
            "com.google.guice",
            "failureaccess",                            // guava
            "j2objc.annotations",                       // guava
            "jnr.a64asm",                               // jnr-ffi
            "jnr.x86asm",                               // jnr-ffi
            "jsr305",                                   // guava
            "listenablefuture",                         // guava
            "org.checkerframework.checker.qual",        // guava
            "org.jnrproject.ffi",
            "org.jnrproject.jffi",
            "org.jnrproject.jffi.nativelibs",           // jffi's native classifier
            "typesafe.config");

    private static Path lib;
    private static Map<String, ModuleDescriptor> modules;

    @BeforeAll
    static void readLib() {
        lib = Distributions.launcher().getParent().resolveSibling("lib");
        modules = new TreeMap<>();
        for (ModuleReference ref : ModuleFinder.of(lib).findAll()) {
            modules.put(ref.descriptor().name(), ref.descriptor());
        }
        System.out.println(lib + " holds " + modules.size() + " modules: " + modules.keySet());
    }

    @Test
    void coreUsesExactlyTheTransportSpi() {
        ModuleDescriptor core = modules.get("dev.crossway.core");
        assertThat(core).as("dev.crossway.core in " + lib).isNotNull();
        assertThat(core.isAutomatic()).as("dev.crossway.core must have a module-info").isFalse();
        assertThat(core.uses()).containsExactly(SPI);
    }

    @Test
    void everyTransportProvidesTheSpi() {
        ModuleDescriptor loopback = modules.get("dev.crossway.transport.loopback");
        assertThat(loopback).as("dev.crossway.transport.loopback in " + lib + " (modules: " + modules.keySet() + ")")
                .isNotNull();
        List<String> transports = modules.keySet().stream().filter(n -> n.startsWith("dev.crossway.transport.")).toList();
        System.out.println("transport modules: " + transports);
        for (String name : transports) {
            ModuleDescriptor d = modules.get(name);
            assertThat(d.provides()).as(name + " provides").anySatisfy(p -> {
                assertThat(p.service()).isEqualTo(SPI);
                assertThat(p.providers()).isNotEmpty();
            });
        }
    }

    @Test
    void automaticModulesAreOnlyTheKnownOnes() {
        Set<String> automatic = modules.values().stream().filter(ModuleDescriptor::isAutomatic)
                .map(ModuleDescriptor::name).collect(Collectors.toCollection(TreeSet::new));
        System.out.println("automatic modules: " + automatic);
        assertThat(automatic).as("automatic modules in " + lib).containsExactlyInAnyOrderElementsOf(KNOWN_AUTOMATIC);
    }

    @Test
    void theVmTransportsShareTheLinuxModulesDeviceSeamAndShipNoEmulator() {
        ModuleDescriptor linux = modules.get("dev.crossway.linux");
        assertThat(linux.uses()).containsExactly("dev.crossway.linux.device.DeviceProvider");
        for (String vm : List.of("dev.crossway.transport.virtgpu", "dev.crossway.transport.virtwl")) {
            ModuleDescriptor d = modules.get(vm);
            assertThat(d).as(vm + " in " + lib).isNotNull();
            assertThat(d.requires()).as(vm + " requires").anySatisfy(r -> assertThat(r.name()).isEqualTo("dev.crossway.linux"));
            assertThat(d.uses()).as(vm + " looks up devices only through dev.crossway.linux").isEmpty();
        }
        assertThat(modules.values()).as("no module of the product provides an emulated device")
                .allSatisfy(d -> assertThat(d.provides()).noneMatch(p -> p.service().equals("dev.crossway.linux.device.DeviceProvider")));
    }

    /**
     * The testsuite is a module of its own that names no transport (each transport's test classes pick their
     * rig), and no part of it, nor JUnit or AssertJ, ships in the product.
     */
    @Test
    void theTestsuiteNamesNoTransportAndStaysOutOfTheProduct() throws Exception {
        Path jar = Path.of(RelaySuite.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor testsuite = ModuleFinder.of(jar).findAll().stream().map(ModuleReference::descriptor).findFirst()
                .orElseThrow(() -> new AssertionError("no module in " + jar));
        System.out.println(jar + ": " + testsuite.toNameAndVersion() + ", requires " + testsuite.requires() + ", exports "
                + testsuite.exports());
        assertThat(testsuite.name()).isEqualTo("dev.crossway.testsuite");
        assertThat(testsuite.isAutomatic()).as("dev.crossway.testsuite must have a module-info").isFalse();
        assertThat(testsuite.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("dev.crossway.core", "dev.crossway.linux")
                .noneMatch(name -> name.startsWith("dev.crossway.transport") || name.equals("dev.crossway.app"));
        assertThat(testsuite.exports()).extracting(ModuleDescriptor.Exports::source).containsExactlyInAnyOrder(
                "dev.crossway.testsuite", "dev.crossway.testsuite.client", "dev.crossway.testsuite.rig");
        assertThat(testsuite.uses()).as("the testsuite looks up no service").isEmpty();
        assertThat(modules.keySet()).as("modules in the product's " + lib).doesNotContain("dev.crossway.testsuite")
                .noneMatch(name -> name.startsWith("org.junit") || name.startsWith("org.assertj"));
    }

    /**
     * runtime/, which the launcher prefers, holds every module of lib/ (the automatic ones made explicit) and of the
     * JDK only what they need: no java.desktop (Typesafe Config's optional bean support) or tools.
     */
    @Test
    void theLinkedRuntimeHoldsEveryModuleOfLibAndFewJdkModules() throws Exception {
        Path java = lib.resolveSibling("runtime").resolve("bin").resolve("java");
        assertThat(java).as("the distribution's linked runtime (app/src/build/make-runtime; the build log says why it is missing)")
                .isExecutable();
        Process p = new ProcessBuilder(java.toString(), "--list-modules").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        Map<String, String> linked = new TreeMap<>();
        for (String line : out.strip().split("\n")) {
            String nameAndVersion = line.split(" ")[0];
            int at = nameAndVersion.indexOf('@');
            linked.put(at < 0 ? nameAndVersion : nameAndVersion.substring(0, at), line);
        }
        System.out.println("runtime/ holds " + linked.size() + " modules: " + linked.keySet());
        assertThat(linked.keySet()).as("runtime/ against " + lib).containsAll(modules.keySet());
        assertThat(linked.keySet().stream().filter(n -> n.startsWith("java.") || n.startsWith("jdk.")))
                .as("JDK modules in runtime/").contains("java.base", "java.logging").doesNotContain("java.desktop", "jdk.compiler", "jdk.jlink");
        assertThat(linked.values()).as("modules linked as automatic ones").noneMatch(line -> line.contains("automatic"));
    }

    @Test
    void serviceLoaderFindsEveryTransport() throws ClassNotFoundException {
        // Resolve the graph the launcher starts (--add-modules ALL-MODULE-PATH) in a layer of its own.
        ModuleFinder finder = ModuleFinder.of(lib);
        Configuration cf = ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(), modules.keySet());
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());
        Class<?> spi = Class.forName(layer.findModule("dev.crossway.core").orElseThrow(), SPI);
        assertThat(spi).as(SPI + " in dev.crossway.core").isNotNull();
        getClass().getModule().addUses(spi);
        List<String> found = ServiceLoader.load(layer, spi).stream()
                .map(p -> p.type().getModule().getName() + "/" + p.type().getName()).toList();
        System.out.println("ServiceLoader finds: " + found);
        assertThat(found).as("providers of " + SPI + " that ServiceLoader finds in " + lib).containsExactlyInAnyOrder(
                "dev.crossway.transport.loopback/dev.crossway.transport.loopback.LoopbackTransportProvider",
                "dev.crossway.transport.virtgpu/dev.crossway.transport.virtgpu.VirtGpuTransportProvider",
                "dev.crossway.transport.virtwl/dev.crossway.transport.virtwl.VirtWlTransportProvider");
    }
}
