package dev.parley.core;

/**
 * A frame or request broke a rule of the contract. Thrown by value types and handlers alike;
 * {@link StompErrorHandler} turns it into an error reply and {@link RestErrorHandler} into a
 * {@code 400} problem.
 */
public class ChatException extends RuntimeException {

    private final ErrorCode code;

    public ChatException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return this.code;
    }
}
