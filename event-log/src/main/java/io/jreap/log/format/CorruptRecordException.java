package io.jreap.log.format;

/** A log record that cannot be decoded; the message says what was wrong with it. */
public final class CorruptRecordException extends RuntimeException {
    public CorruptRecordException(String message) {
        super(message);
    }
}
