package io.aperture.internal.section;

/** Codes of the ring's terminal-state word. Zero means "not initialised". */
public final class TerminalState {
    public static final int OPEN = 1;
    public static final int COMPLETED = 2;
    public static final int ERRORED = 3;
    public static final int CANCELLED = 4;
    public static final int CLOSED = 5;

    public static String name(int state) {
        switch (state) {
            case OPEN: return "OPEN";
            case COMPLETED: return "COMPLETED";
            case ERRORED: return "ERRORED";
            case CANCELLED: return "CANCELLED";
            case CLOSED: return "CLOSED";
            default: return "UNKNOWN(" + state + ")";
        }
    }

    private TerminalState() {
    }
}
