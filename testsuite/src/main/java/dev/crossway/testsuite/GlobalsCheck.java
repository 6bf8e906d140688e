package dev.crossway.testsuite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.testsuite.rig.Clients;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What a guest sees of a compositor's globals: the direct set, minus exactly the hidden ones, plus what Crossway adds. */
final class GlobalsCheck {
    private static final Schema SCHEMA = SchemaLoader.loadBundled();

    private GlobalsCheck() {
    }

    /**
     * @param hidden interfaces the policy hides
     * @param added  interfaces Crossway adds (the gtk primary-selection alias), with their version
     */
    static void assertRelayed(List<Clients.Global> direct, List<Clients.Global> relayed, Set<String> hidden,
                              Map<String, Integer> added) {
        Map<String, Integer> directVersions = Clients.versionsByName(direct);
        Set<String> expected = new TreeSet<>(directVersions.keySet());
        assertThat(expected).as("every interface expected hidden is offered by the compositor").containsAll(hidden);
        expected.removeAll(hidden);
        expected.addAll(added.keySet());
        System.out.println("globals: " + direct.size() + " offered directly, " + relayed.size() + " through Crossway; hidden "
                + new TreeSet<>(hidden) + ", added " + added);
        assertThat(new TreeSet<>(Clients.versionsByName(relayed).keySet())).isEqualTo(expected);
        long hiddenCount = direct.stream().filter(g -> hidden.contains(g.name())).count();
        assertThat(relayed).as("one relayed global per direct one (several wl_outputs stay several)")
                .hasSize((int) (direct.size() - hiddenCount) + added.size());
        for (Clients.Global g : relayed) {
            int want = added.containsKey(g.name()) ? added.get(g.name())
                    : Math.min(directVersions.get(g.name()), SCHEMA.require(g.name()).version());
            assertThat(g.version()).as("version of " + g.name() + ": the highest both sides know").isEqualTo(want);
        }
    }
}
