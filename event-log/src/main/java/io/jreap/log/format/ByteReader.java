package io.jreap.log.format;

import java.nio.charset.StandardCharsets;

/**
 * Decodes Chronicle's encodings from a plain byte array: a replay scan copies each events record
 * out of the mapped file once and decodes it here, which is several times faster than decoding
 * field by field through Chronicle's {@code Bytes} (bounds and state checks per byte).
 *
 * <p>The encodings, as Chronicle Bytes writes them: <b>stop bit</b>: 7 bits per byte, low bits
 * first, the high bit set on every byte but the last; a negative value {@code n} is written as
 * {@code ~n} with the high bit set on its last byte, followed by a 0 byte. <b>UTF-8 string</b>: its
 * length in bytes as a stop bit (-1 for null), then the bytes. <b>long</b>: 8 bytes little-endian.
 */
public final class ByteReader {
    private byte[] buf = new byte[4096];

    /** An empty buffer; it grows to the largest record read. */
    public ByteReader() {
    }
    private int pos;
    private int limit;

    /** Makes room for {@code n} bytes and returns the array to fill from index 0. */
    byte[] reset(int n) {
        if (buf.length < n) {
            buf = new byte[Math.max(n, buf.length * 2)];
        }
        pos = 0;
        limit = n;
        return buf;
    }

    byte readByte() {
        if (pos >= limit) {
            throw new CorruptRecordException("a record ends in the middle of a field");
        }
        return buf[pos++];
    }

    long readStopBit() {
        long b = readByte();
        if (b >= 0) {
            return b;
        }
        long l = b & 0x7F;
        int shift = 7;
        while ((b = readByte()) < 0) {
            l |= (b & 0x7F) << shift;
            shift += 7;
            if (shift > 63) {
                throw new CorruptRecordException("a stop-bit number longer than 64 bits");
            }
        }
        if (b != 0) {
            return l | (b << shift);
        }
        return ~l; // a negative number: its complement, then a 0 byte
    }

    long readLong() {
        if (limit - pos < 8) {
            throw new CorruptRecordException("a record ends in the middle of a field");
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (buf[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    String readUtf8() {
        long len = readStopBit();
        if (len == -1) {
            return null;
        }
        if (len < 0 || len > limit - pos) {
            throw new CorruptRecordException("a string of " + len + " bytes in a record with " + (limit - pos) + " left");
        }
        String s = new String(buf, pos, (int) len, StandardCharsets.UTF_8);
        pos += (int) len;
        return s;
    }
}
