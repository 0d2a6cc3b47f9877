package io.aperture;

/**
 * The publisher's upstream failed in the publisher process, or a service's handler failed in the responder process
 * ({@link ServiceConnection}). Carries the remote exception's class name
 * and message (bounded in length); the remote stack trace does not cross.
 */
public final class RemoteException extends ApertureException {
    private static final long serialVersionUID = 1L;

    /**
     * Fully qualified class name of the remote exception.
     */
    private final String remoteClassName;
    /**
     * The remote exception's message, or null.
     */
    private final String remoteMessage;

    /**
     * The source of {@code channel}'s publisher failed with an exception of class {@code remoteClassName}.
     *
     * @param channel         the channel's name
     * @param remoteClassName the fully qualified class name of the exception raised in the publisher process
     * @param remoteMessage   its message, or null
     */
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

    /**
     * The handler of a service's responder failed one interaction ({@code interaction}: its model and correlation id).
     *
     * @param service         the service's name
     * @param interaction     the interaction's model and correlation id
     * @param remoteClassName the fully qualified class name of the handler's exception
     * @param remoteMessage   its message, or null
     * @return the exception a requester's interaction fails with
     */
    public static RemoteException fromResponder(String service, String interaction, String remoteClassName, String remoteMessage) {
        return new RemoteException("service '" + service + "': " + interaction + " failed in the responder with "
            + remoteClassName + (remoteMessage == null ? "" : ": " + remoteMessage), remoteClassName, remoteMessage, true);
    }

    /**
     * The requester's publisher of a request-channel failed ({@code interaction}: its model and correlation id).
     *
     * @param service         the service's name
     * @param requester       the requester's name
     * @param interaction     the interaction's model and correlation id
     * @param remoteClassName the fully qualified class name of the requester publisher's exception
     * @param remoteMessage   its message, or null
     * @return the exception the responder's handler sees in its requests
     */
    public static RemoteException fromRequester(String service, String requester, String interaction, String remoteClassName,
                                         String remoteMessage) {
        return new RemoteException("service '" + service + "': the requests of " + interaction + " from requester '"
            + requester + "' failed with " + remoteClassName + (remoteMessage == null ? "" : ": " + remoteMessage),
            remoteClassName, remoteMessage, true);
    }

    /**
     * Fully qualified class name of the exception raised in the publisher process.
     *
     * @return the remote exception's class name
     */
    public String remoteClassName() {
        return remoteClassName;
    }

    /**
     * Its message, or {@code null} when it had none.
     *
     * @return the remote exception's message, or null
     */
    public String remoteMessage() {
        return remoteMessage;
    }
}
