package dev.crossway.proxy.fd;

import dev.crossway.proxy.shm.ShmLimits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.ArgType;
import dev.crossway.protocol.Interface;
import dev.crossway.protocol.MessageSpec;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.proxy.Direction;
import dev.crossway.proxy.fd.FdTranslation.Route;
import dev.crossway.proxy.intercept.GlobalClass;
import dev.crossway.proxy.intercept.GlobalClasses;
import dev.crossway.proxy.intercept.RegistryPolicy;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.PipeDirection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fd table against the bundled protocols, and the routes it gives each kind of transport. */
class FdTranslationTest {
    static final Capabilities SAME_KERNEL = new Capabilities(true, true, 28, 65536);
    static final Capabilities SEPARATE_MEMORY = new Capabilities(false, true, 28, 65536);
    static final Capabilities VM = new Capabilities(false, false, 28, 3980);
    static final Set<String> ALL_CLASSES = java.util.Arrays.stream(GlobalClass.values()).map(GlobalClass::configName)
            .collect(java.util.stream.Collectors.toSet());
    static Schema schema;

    @BeforeAll
    static void loadSchema() {
        schema = SchemaLoader.loadBundled();
    }

    static MessageSpec message(String iface, boolean request, String name) {
        return schema.require(iface).message(request, name);
    }

    @Test
    void everyFdCarryingMessageOfTheBundledProtocolsIsInTheTable() {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Interface i : schema.interfaces()) {
            for (List<MessageSpec> messages : List.of(i.requests(), i.events())) {
                for (MessageSpec m : messages) {
                    if (m.fdCount() == 0) {
                        continue;
                    }
                    checked++;
                    List<FdKind> kinds = FdTable.kinds(m);
                    if (kinds == null || kinds.size() != m.fdCount()) {
                        missing.add(m + (m.isRequest() ? " (request)" : " (event)") + ": table says " + kinds);
                    }
                }
            }
        }
        assertThat(checked).as("fd-carrying messages in the bundled protocols").isGreaterThanOrEqualTo(14);
        assertThat(missing).as("messages whose fds the table does not describe").isEmpty();
    }

    @Test
    void entriesTheSchemaKnowsNameRealMessagesWithThatManyFds() {
        List<String> wrong = new ArrayList<>();
        for (FdTable.Entry e : FdTable.entries()) {
            Interface i = schema.find(e.hook().interfaceName());
            if (i == null) {
                continue; // a protocol newer than the bundled XML
            }
            MessageSpec m = i.message(e.hook().direction() == Direction.REQUEST, e.hook().messageName());
            long fds = m == null ? -1 : m.args().stream().filter(a -> a.type() == ArgType.FD).count();
            if (fds != e.kinds().size()) {
                wrong.add(e.hook() + ": " + (m == null ? "no such message" : fds + " fd arguments") + ", table lists " + e.kinds());
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void vmTransportsCopyShmAndKeymapsBridgePipesAndCarryNothingElse() {
        FdTranslation vm = FdTranslation.of(VM);
        assertThat(vm.route(FdKind.SHM_POOL, true)).isEqualTo(Route.COPY);
        assertThat(vm.route(FdKind.KEYMAP, false)).isEqualTo(Route.COPY);
        assertThat(vm.route(FdKind.PIPE_WRITE_END, true)).isEqualTo(Route.BRIDGE);
        assertThat(vm.route(FdKind.PIPE_WRITE_END, false)).isEqualTo(Route.BRIDGE);
        for (FdKind k : List.of(FdKind.DMABUF, FdKind.SYNC_FILE, FdKind.FORMAT_TABLE, FdKind.DRM_DEVICE, FdKind.SOCKET)) {
            assertThat(vm.route(k, true)).as(k + " in a request").isEqualTo(Route.NONE);
            assertThat(vm.route(k, false)).as(k + " in an event").isEqualTo(Route.NONE);
        }
        assertThat(vm.route(null, true)).as("an fd of unknown kind").isEqualTo(Route.NONE);
        assertThat(vm.carries(message("wl_data_offer", true, "receive"))).isTrue();
        assertThat(vm.carries(message("gtk_primary_selection_source", false, "send"))).isTrue();
        assertThat(vm.carries(message("zwp_linux_buffer_params_v1", true, "add"))).isFalse();
        assertThat(vm.interceptors(ShmLimits.defaults())).hasSize(2);
    }

    @Test
    void aSharedKernelPassesEverythingAndSeparateMemoryCopiesOnlyPoolsAndKeymaps() {
        FdTranslation shared = FdTranslation.of(SAME_KERNEL);
        FdTranslation separate = FdTranslation.of(SEPARATE_MEMORY);
        for (FdKind k : FdKind.values()) {
            assertThat(shared.route(k, true)).isEqualTo(Route.AS_IS);
            assertThat(shared.route(k, false)).isEqualTo(Route.AS_IS);
        }
        assertThat(shared.route(null, false)).isEqualTo(Route.AS_IS);
        assertThat(shared.interceptors(ShmLimits.defaults())).isEmpty();
        assertThat(separate.route(FdKind.SHM_POOL, true)).isEqualTo(Route.COPY);
        assertThat(separate.route(FdKind.KEYMAP, false)).isEqualTo(Route.COPY);
        assertThat(separate.route(FdKind.PIPE_WRITE_END, true)).isEqualTo(Route.AS_IS);
        assertThat(separate.route(FdKind.DMABUF, true)).isEqualTo(Route.AS_IS);
        assertThat(separate.interceptors(ShmLimits.defaults())).as("the shm mirror only").hasSize(1);
    }

    @Test
    void dataFlowsTowardsWhoeverHoldsTheWriteEnd() {
        assertThat(FdTranslation.direction(FdKind.PIPE_WRITE_END, true)).as("wl_data_offer.receive").isEqualTo(PipeDirection.HOST_TO_GUEST);
        assertThat(FdTranslation.direction(FdKind.PIPE_WRITE_END, false)).as("wl_data_source.send").isEqualTo(PipeDirection.GUEST_TO_HOST);
        assertThat(FdTranslation.direction(FdKind.PIPE_READ_END, true)).isEqualTo(PipeDirection.GUEST_TO_HOST);
        assertThat(FdTranslation.direction(FdKind.PIPE_READ_END, false)).isEqualTo(PipeDirection.HOST_TO_GUEST);
    }

    @Test
    void theRegistryPolicyHidesExactlyTheGlobalsWhoseFdsCannotCrossAVm() {
        // Every class granted, so only the fds decide.
        RegistryPolicy policy = new RegistryPolicy(schema, GlobalClasses.builtIn(),
                new RegistryPolicy.Rules(ALL_CLASSES, Set.of(), Set.of(), Map.of()), FdTranslation.of(VM)::carries);
        for (String shown : List.of("wl_shm", "wl_seat", "wl_data_device_manager", "zwp_primary_selection_device_manager_v1",
                "gtk_primary_selection_device_manager", "xdg_wm_base", "wl_compositor")) {
            assertThat(policy.decide(shown, 99).shown()).as(shown).isTrue();
        }
        for (String hidden : List.of("zwp_linux_dmabuf_v1", "zwp_linux_explicit_synchronization_v1", "wp_drm_lease_device_v1")) {
            RegistryPolicy.Decision d = policy.decide(hidden, 99);
            assertThat(d.shown()).as(hidden).isFalse();
            assertThat(d.reason()).as(hidden).contains("fd");
        }
        RegistryPolicy sameKernel = new RegistryPolicy(schema, Set.of(), Set.of(), Map.of(), FdTranslation.of(SAME_KERNEL)::carries);
        assertThat(sameKernel.decide("zwp_linux_dmabuf_v1", 4).shown()).isTrue();
    }
}
