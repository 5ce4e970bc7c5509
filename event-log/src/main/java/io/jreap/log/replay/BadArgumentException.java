package io.jreap.log.replay;

/** An option value replay cannot use (a bad point, an unknown type name); the message says what is accepted. */
public final class BadArgumentException extends Exception {
    public BadArgumentException(String message) {
        super(message);
    }
}
