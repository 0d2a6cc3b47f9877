package io.aperture;

/** Codes of the ring's terminal-state word. Zero means "not initialised". */
final class TerminalState {
    static final int OPEN = 1;
    static final int COMPLETED = 2;
    static final int ERRORED = 3;
    static final int CANCELLED = 4;
    static final int CLOSED = 5;

    static String name(int state) {
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
