package dev.crossway.vm;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The VM tier's JUnit extension. Skips a class, with the reason, where no container engine or no
 * image is found, unless the build requires the tier ({@code CROSSWAY_VM_REQUIRED=1}, as in CI): then
 * it fails. Resolves {@link VmSession} parameters to the one session of the run, which it closes after
 * the run's last test.
 */
final class VmTier implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(VmTier.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        String cause = VmRig.VIRTGPU.unavailabilityCause();
        if (cause == null) {
            // Closed with the root context, after the last test of the run.
            context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Closer.class, k -> new Closer(), Closer.class);
            return;
        }
        if (VmImage.required()) {
            throw new IllegalStateException("the VM tier must run here (" + VmImage.REQUIRED_PROPERTY + ") but " + cause);
        }
        Assumptions.abort("VM tier skipped: " + cause);
    }

    /** Closes the run's session. */
    private static final class Closer implements AutoCloseable {
        @Override
        public void close() {
            VmSession.closeShared();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == VmSession.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return VmSession.shared();
    }
}
