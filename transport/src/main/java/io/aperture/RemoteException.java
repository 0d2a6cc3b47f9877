package io.aperture;

/**
 * The publisher's upstream failed in the publisher process, or a service's handler failed in the responder process
 * ({@link ServiceConnection}). Carries the remote exception's class name
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

    private RemoteException(String message, String remoteClassName, String remoteMessage, boolean interaction) {
        super(message);
        this.remoteClassName = remoteClassName;
        this.remoteMessage = remoteMessage;
    }

    /** The handler of a service's responder failed one interaction ({@code interaction}: its model and correlation id). */
    public static RemoteException fromResponder(String service, String interaction, String remoteClassName, String remoteMessage) {
        return new RemoteException("service '" + service + "': " + interaction + " failed in the responder with "
            + remoteClassName + (remoteMessage == null ? "" : ": " + remoteMessage), remoteClassName, remoteMessage, true);
    }

    /** The requester's publisher of a request-channel failed ({@code interaction}: its model and correlation id). */
    public static RemoteException fromRequester(String service, String requester, String interaction, String remoteClassName,
                                         String remoteMessage) {
        return new RemoteException("service '" + service + "': the requests of " + interaction + " from requester '"
            + requester + "' failed with " + remoteClassName + (remoteMessage == null ? "" : ": " + remoteMessage),
            remoteClassName, remoteMessage, true);
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
