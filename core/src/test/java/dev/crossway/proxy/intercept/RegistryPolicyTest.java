package dev.crossway.proxy.intercept;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.Interface;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each reason a global is hidden, in order, and the version a shown one gets. */
class RegistryPolicyTest {
    private static final Schema SCHEMA = SchemaLoader.loadBundled();

    private static RegistryPolicy policy(Set<String> grant, Set<String> allow, Set<String> deny) {
        return new RegistryPolicy(SCHEMA, GlobalClasses.builtIn(), new RegistryPolicy.Rules(grant, allow, deny,
                Map.of("wl_compositor", 4)), m -> !m.owner().name().equals("zwp_linux_explicit_synchronization_v1")
                        && !m.owner().name().equals("zwp_linux_surface_synchronization_v1"));
    }

    @Test
    void ordinaryGlobalIsShownAtTheHighestVersionBothSidesKnow() {
        RegistryPolicy p = policy(Set.of(), Set.of(), Set.of());
        assertThat(p.decide("xdg_wm_base", 99)).isEqualTo(new RegistryPolicy.Decision(true,
                SCHEMA.require("xdg_wm_base").version(), GlobalClass.ORDINARY, null));
        assertThat(p.decide("xdg_wm_base", 2).version()).isEqualTo(2);
        assertThat(p.decide("wl_compositor", 6).version()).as("capped").isEqualTo(4);
    }

    @Test
    void unknownInterfaceIsHiddenAndTheReasonSaysHowToAddItsXml() {
        RegistryPolicy.Decision d = policy(Set.of(), Set.of(), Set.of()).decide("vendor_thing_v1", 1);
        assertThat(d.shown()).isFalse();
        assertThat(d.globalClass()).isNull();
        assertThat(d.reason()).startsWith("unknown interface").contains("--protocol-dir");
    }

    @Test
    void privilegedClassIsHiddenUntilItsClassOrNameIsGranted() {
        RegistryPolicy.Decision hidden = policy(Set.of(), Set.of(), Set.of()).decide("zwlr_data_control_manager_v1", 2);
        assertThat(hidden.shown()).isFalse();
        assertThat(hidden.globalClass()).isEqualTo(GlobalClass.CLIPBOARD);
        assertThat(hidden.reason()).isEqualTo("privileged, class clipboard (reads and sets the clipboard without focus);"
                + " show it with --grant clipboard or --grant zwlr_data_control_manager_v1");
        assertThat(policy(Set.of("clipboard"), Set.of(), Set.of()).decide("zwlr_data_control_manager_v1", 2).shown()).isTrue();
        assertThat(policy(Set.of("zwlr_data_control_manager_v1"), Set.of(), Set.of()).decide("zwlr_data_control_manager_v1", 2).shown()).isTrue();
        assertThat(policy(Set.of("clipboard"), Set.of(), Set.of()).decide("ext_data_control_manager_v1", 1).shown()).isTrue();
        assertThat(policy(Set.of("clipboard"), Set.of(), Set.of()).decide("zwlr_screencopy_manager_v1", 3).shown())
                .as("one class granted is not another").isFalse();
    }

    @Test
    void denyAndAllowListStayOnTopOfAGrant() {
        Set<String> grant = Set.of("screen-capture");
        assertThat(policy(grant, Set.of(), Set.of("zwlr_screencopy_manager_v1")).decide("zwlr_screencopy_manager_v1", 3).reason())
                .startsWith("denied by --deny");
        assertThat(policy(grant, Set.of("wl_compositor"), Set.of()).decide("zwlr_screencopy_manager_v1", 3).reason())
                .startsWith("not in --allow");
        assertThat(policy(Set.of(), Set.of("zwlr_screencopy_manager_v1"), Set.of()).decide("zwlr_screencopy_manager_v1", 3).shown())
                .as("the allow list filters; it does not grant").isFalse();
    }

    @Test
    void interfaceFromAUserDirectoryWithoutAClassIsGrantedOnlyByName() {
        Interface mine = new Interface("my_thing_v1", 2, "my_protocol");
        mine.freeze(Map.of());
        Schema withMine = SCHEMA.withInterfaces(List.of(mine));
        RegistryPolicy.Rules none = RegistryPolicy.Rules.NONE;
        RegistryPolicy.Decision d = new RegistryPolicy(withMine, GlobalClasses.builtIn(), none, m -> true).decide("my_thing_v1", 2);
        assertThat(d.shown()).isFalse();
        assertThat(d.reason()).contains("no class is known").contains("--grant my_thing_v1");
        RegistryPolicy.Rules byName = new RegistryPolicy.Rules(Set.of("my_thing_v1"), Set.of(), Set.of(), Map.of());
        assertThat(new RegistryPolicy(withMine, GlobalClasses.builtIn(), byName, m -> true).decide("my_thing_v1", 2).shown()).isTrue();
    }

    @Test
    void globalWhoseFdCannotCrossIsHiddenNamingTheMessage() {
        RegistryPolicy.Decision d = policy(Set.of(), Set.of(), Set.of()).decide("zwp_linux_explicit_synchronization_v1", 2);
        assertThat(d.shown()).isFalse();
        assertThat(d.reason()).startsWith("the transport cannot carry the fd of zwp_linux_surface_synchronization_v1.");
    }

    @Test
    void eachHiddenInterfaceIsExplainedOnceAndShownOnesNever() {
        RegistryPolicy p = policy(Set.of(), Set.of(), Set.of());
        RegistryPolicy.Decision unknown = p.decide("vendor_thing_v1", 1);
        assertThat(p.explain("vendor_thing_v1", unknown)).isTrue();
        assertThat(p.explain("vendor_thing_v1", unknown)).as("a second client hears the same global").isFalse();
        assertThat(p.explain("wl_shm", p.decide("wl_shm", 1))).isFalse();
    }

    @Test
    void grantThatNamesNothingIsReported() {
        assertThat(policy(Set.of("sceen-capture", "clipboard", "wl_shm"), Set.of(), Set.of()).unknownGrants())
                .containsExactly("--grant sceen-capture: neither a class (screen-capture, input-injection, clipboard,"
                        + " desktop-control, compositor-debug, security-context) nor an interface Crossway knows; it grants nothing");
    }
}
