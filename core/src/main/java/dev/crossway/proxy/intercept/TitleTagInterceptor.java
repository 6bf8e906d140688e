package dev.crossway.proxy.intercept;

import dev.crossway.proxy.Interceptor;
import dev.crossway.proxy.ProtocolError;
import dev.crossway.wire.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * Prefixes window titles ({@code xdg_toplevel.set_title}) and app ids ({@code set_app_id}) so users
 * see which windows come from the VM, e.g. {@code "[vm] "}.
 */
public final class TitleTagInterceptor implements Interceptor {
    private final String titlePrefix;
    private final String appIdPrefix;

    /** Either prefix may be empty, which leaves that field alone. */
    public TitleTagInterceptor(String titlePrefix, String appIdPrefix) {
        this.titlePrefix = titlePrefix == null ? "" : titlePrefix;
        this.appIdPrefix = appIdPrefix == null ? "" : appIdPrefix;
    }

    public boolean isActive() {
        return !titlePrefix.isEmpty() || !appIdPrefix.isEmpty();
    }

    @Override
    public List<Hook> hooks() {
        List<Hook> hooks = new ArrayList<>();
        if (!titlePrefix.isEmpty()) {
            hooks.add(Hook.request("xdg_toplevel", "set_title"));
        }
        if (!appIdPrefix.isEmpty()) {
            hooks.add(Hook.request("xdg_toplevel", "set_app_id"));
        }
        return hooks;
    }

    @Override
    public void intercept(Chain chain) throws ProtocolError {
        Message m = chain.message();
        String prefix = m.spec().name().equals("set_title") ? titlePrefix : appIdPrefix;
        String value = m.stringArg(0);
        if (value != null) {
            m.set(0, prefix + value);
        }
        chain.proceed(m);
    }
}
