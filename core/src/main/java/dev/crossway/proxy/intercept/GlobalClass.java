package dev.crossway.proxy.intercept;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a global lets a client do, as far as a guest's access goes. Only {@link #ORDINARY} globals reach
 * guest apps by default; the others are granted by name ({@code --grant screen-capture}). Which protocol
 * belongs to which class is data: {@code global-classes.txt} beside {@link GlobalClasses}.
 */
public enum GlobalClass {
    ORDINARY("what any app may use"),
    SCREEN_CAPTURE("reads what other apps show"),
    INPUT_INJECTION("types or points as the user"),
    CLIPBOARD("reads and sets the clipboard without focus"),
    DESKTOP_CONTROL("controls the desktop or session, or watches other apps' windows"),
    COMPOSITOR_DEBUG("the compositor's debugging and test interfaces"),
    SECURITY_CONTEXT("makes sockets that carry the compositor's trust");

    private final String meaning;

    GlobalClass(String meaning) {
        this.meaning = meaning;
    }

    /** The name in configuration, data and messages, e.g. {@code screen-capture}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** What granting this class hands a guest app, in a few words. */
    public String meaning() {
        return meaning;
    }

    public boolean isPrivileged() {
        return this != ORDINARY;
    }

    /** The class with this configuration name, or null. */
    public static GlobalClass ofConfigName(String name) {
        for (GlobalClass c : values()) {
            if (c.configName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The privileged classes' configuration names, comma-separated, for messages. */
    public static String privilegedNames() {
        return Arrays.stream(values()).filter(GlobalClass::isPrivileged).map(GlobalClass::configName)
                .collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return configName();
    }
}
