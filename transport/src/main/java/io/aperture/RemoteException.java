package io.aperture;

/**
 * The publisher's upstream failed in the publisher process. Carries the remote exception's class name
 * and message (bounded in length); the remote stack trace does not cross.
 */
public final class RemoteException extends ApertureException {
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;
    private final String remoteMessage;

    public RemoteException(String channel, String remoteClassName, String remoteMessage) {
        super("channel '" + channel + "': publisher failed with " + remoteClassName
            + (remoteMessage == null ? "" : ": " + remoteMessage));
        this.remoteClassName = remoteClassName;
        this.remoteMessage = remoteMessage;
    }

    /** Fully qualified class name of the exception raised in the publisher process. */
    public String remoteClassName() {
        return remoteClassName;
    }

    /** Its message, or {@code null} when it had none. */
    public String remoteMessage() {
        return remoteMessage;
    }
}
