package io.jreap.log.replay;

/** A log that cannot be read as asked; the message names the input and what to do. */
public final class LogException extends Exception {
    public LogException(String message) {
        super(message);
    }

    public LogException(String message, Throwable cause) {
        super(message, cause);
    }
}
