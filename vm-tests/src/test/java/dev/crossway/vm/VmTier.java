package dev.crossway.vm;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The VM tier's JUnit extension. Skips a class, with the reason, where no container engine or no
 * image is found, unless the build requires the tier ({@code CROSSWAY_VM_REQUIRED=1}, as in CI): then
 * it fails. Resolves {@link VmSession} parameters to one session booted for the whole run and closed
 * after its last test.
 */
final class VmTier implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(VmTier.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        String cause = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Availability.class, k -> new Availability(VmImage.unavailabilityCause()), Availability.class)
                .cause();
        if (cause == null) {
            return;
        }
        if (VmImage.required()) {
            throw new IllegalStateException("the VM tier must run here (" + VmImage.REQUIRED_PROPERTY + ") but " + cause);
        }
        Assumptions.abort("VM tier skipped: " + cause);
    }

    /** Whether the tier can run here, asked once per run: null, or why not. */
    private record Availability(String cause) {}

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == VmSession.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(VmSession.class, k -> VmSession.boot(), VmSession.class);
    }
}
