package io.aperture.internal.section;

import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * What the transport says happens, through Reactor's {@link Loggers} (SLF4J when it is on the class path, else
 * {@code java.util.logging}), under the logger {@value #NAME}: subscribers admitted, refused and gone, peers found
 * dead, channels that end with an error, stale sections removed. Nothing per message. The logger is looked up at each
 * event (they are rare), so a logging set-up made after the transport's classes were loaded applies.
 */
public final class ChannelLog {
    public static final String NAME = "io.aperture";

    private ChannelLog() {
    }

    public static Logger log() {
        return Loggers.getLogger(NAME);
    }
}
